//! The content port over SQL: the practice's articles.

use super::{Param, Row, Rows, SqlDatabase};
use crate::{ContentStore, StoreError, StoreResult};
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::{Article, ArticleDraft, ArticleId, Slug};

macro_rules! article_columns {
    () => {
        "id, slug, title, summary, body_markdown, archived, created_at, updated_at"
    };
}

const ARTICLE_BY_ID: &str = concat!("select ", article_columns!(), " from articles where id = $1");
const ARTICLE_BY_SLUG: &str = concat!("select ", article_columns!(), " from articles where slug = $1");
const LIST_ARTICLES: &str =
    concat!("select ", article_columns!(), " from articles where not archived or $1 order by created_at desc, id desc");
const CREATE_ARTICLE: &str = concat!(
    "insert into articles (slug, title, summary, body_markdown, archived, created_at, updated_at) \
     values ($1, $2, $3, $4, false, $5, $5) returning ",
    article_columns!()
);
const UPDATE_ARTICLE: &str = concat!(
    "update articles set slug = $2, title = $3, summary = $4, body_markdown = $5, updated_at = $6 where id = $1 \
     returning ",
    article_columns!()
);
const ARCHIVE_ARTICLE: &str =
    concat!("update articles set archived = $2, updated_at = $3 where id = $1 returning ", article_columns!());

fn read_article(r: &mut Row<'_>) -> StoreResult<Article> {
    let id = r.id("id")?;
    Ok(Article {
        id: ArticleId(id),
        slug: r.parsed("slug", "a slug", |s| Slug::parse("slug", s).ok())?,
        title: r.text("title")?,
        summary: r.text("summary")?,
        body_markdown: r.text("body_markdown")?,
        archived: r.bool("archived")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn read_articles(mut rows: Rows) -> StoreResult<Vec<Article>> {
    rows.read("articles").map(|mut r| read_article(&mut r)).collect()
}

fn one_article(rows: Rows) -> StoreResult<Article> {
    read_articles(rows)?.pop().ok_or(StoreError::NotFound)
}

fn article_params(d: &ArticleDraft) -> [Param; 4] {
    [d.slug.as_str().into(), (&d.title).into(), (&d.summary).into(), (&d.body_markdown).into()]
}

#[async_trait]
impl<D: SqlDatabase> ContentStore for D {
    async fn list_articles(&self, include_archived: bool) -> StoreResult<Vec<Article>> {
        read_articles(self.query(LIST_ARTICLES, &[include_archived.into()]).await?)
    }

    async fn article(&self, id: ArticleId) -> StoreResult<Article> {
        one_article(self.query(ARTICLE_BY_ID, &[id.into()]).await?)
    }

    async fn article_by_slug(&self, slug: &str) -> StoreResult<Article> {
        one_article(self.query(ARTICLE_BY_SLUG, &[slug.into()]).await?)
    }

    async fn create_article(&self, d: &ArticleDraft, now: Timestamp) -> StoreResult<Article> {
        let mut params = article_params(d).to_vec();
        params.push(now.into());
        one_article(self.query(CREATE_ARTICLE, &params).await.map_err(|e| e.unique_as("slug"))?)
    }

    async fn update_article(&self, id: ArticleId, d: &ArticleDraft, now: Timestamp) -> StoreResult<Article> {
        let mut params = vec![id.into()];
        params.extend(article_params(d));
        params.push(now.into());
        one_article(self.query(UPDATE_ARTICLE, &params).await.map_err(|e| e.unique_as("slug"))?)
    }

    async fn set_article_archived(&self, id: ArticleId, archived: bool, now: Timestamp) -> StoreResult<Article> {
        one_article(self.query(ARCHIVE_ARTICLE, &[id.into(), archived.into(), now.into()]).await?)
    }
}
