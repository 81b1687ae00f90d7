//! Every route the server answers, as `(method, path)`: the pages' from the builder that adds them to the
//! router, the API's from the OpenAPI document its routes are built with. The authorization matrix test
//! walks this list, so a new route is checked without anyone remembering to add it.
//!
//! axum cannot list a router's routes, so the pages build theirs through `Routes`, which records each
//! method and path as it adds the handler: the list and the router come from the same calls.

use crate::state::AppState;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{self, MethodRouter};
use axum::Router;

/// One path's handlers by method, and which methods those are.
pub struct Methods {
    router: MethodRouter<AppState>,
    methods: Vec<Method>,
}

/// A GET handler (axum answers HEAD with it too), as `axum::routing::get`.
pub fn get<H: Handler<T, AppState>, T: 'static>(handler: H) -> Methods {
    Methods { router: routing::get(handler), methods: vec![Method::GET] }
}

/// A POST handler, as `axum::routing::post`.
pub fn post<H: Handler<T, AppState>, T: 'static>(handler: H) -> Methods {
    Methods { router: routing::post(handler), methods: vec![Method::POST] }
}

impl Methods {
    /// Adds a POST handler to the path's GET one.
    pub fn post<H: Handler<T, AppState>, T: 'static>(self, handler: H) -> Methods {
        let mut methods = self.methods;
        methods.push(Method::POST);
        Methods { router: self.router.post(handler), methods }
    }
}

/// A router of pages that remembers what it was given.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    listed: Vec<(Method, String)>,
}

impl Routes {
    pub fn new() -> Routes {
        Routes::default()
    }

    pub fn route(mut self, path: &str, methods: Methods) -> Routes {
        self.router = self.router.route(path, methods.router);
        self.listed.extend(methods.methods.into_iter().map(|m| (m, path.to_string())));
        self
    }

    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.listed.extend(other.listed);
        self
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }

    pub fn listed(&self) -> &[(Method, String)] {
        &self.listed
    }
}

/// Every route of `crate::router`: the pages, then `/healthz` and the API as the OpenAPI document lists
/// them, then the document itself (served beside the operations it describes, not one of them).
pub fn route_table() -> Vec<(Method, String)> {
    let mut table = crate::pages::routes().listed().to_vec();
    for (path, item) in crate::api::document().paths.paths {
        let operations = [
            (Method::GET, &item.get),
            (Method::PUT, &item.put),
            (Method::POST, &item.post),
            (Method::DELETE, &item.delete),
            (Method::PATCH, &item.patch),
            (Method::HEAD, &item.head),
            (Method::OPTIONS, &item.options),
            (Method::TRACE, &item.trace),
        ];
        table.extend(operations.into_iter().filter(|(_, op)| op.is_some()).map(|(m, _)| (m, path.clone())));
    }
    table.push((Method::GET, "/api/v1/openapi.json".to_string()));
    table
}
