//! Educational articles, written in Markdown by the practice.

use crate::slug::Slug;
use crate::validation::ValidationErrors;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArticleId(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Article {
    pub id: ArticleId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub slug: Slug,
    pub title: String,
    pub summary: String,
    /// The author's Markdown; raw HTML in it is shown as text, never rendered.
    pub body_markdown: String,
    pub archived: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    #[serde(default)]
    pub slug: Option<String>,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    pub body_markdown: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleDraft {
    pub slug: Slug,
    pub title: String,
    pub summary: String,
    pub body_markdown: String,
}

impl ArticleInput {
    pub fn validate(&self) -> Result<ArticleDraft, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let title = e.text("title", &self.title, 1, 200);
        let slug = Slug::given_or_derived(&mut e, self.slug.as_deref(), &title);
        let summary = e.text("summary", &self.summary, 0, 500);
        let body_markdown = e.text("body_markdown", &self.body_markdown, 1, 50_000);
        e.finish(|| Some(ArticleDraft { slug, title, summary, body_markdown }))
    }
}
