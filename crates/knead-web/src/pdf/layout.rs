//! A4 pages filled from the top down: wrapped text, gaps, and a new page when the next block does not fit;
//! then the document with its fonts and page numbers.

use super::text::{encode, width, wrap, Face};
use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str, TextStr};

pub(crate) const PAGE_WIDTH: f32 = 595.0;
pub(crate) const PAGE_HEIGHT: f32 = 842.0;
pub(crate) const MARGIN: f32 = 56.0;
/// Room kept at the foot of each page for its number.
const FOOTER: f32 = 28.0;

/// The pages written so far and where the next line goes.
pub(crate) struct Layout {
    pages: Vec<Content>,
    /// The baseline of the next line's top, in points from the page's bottom.
    y: f32,
}

impl Layout {
    pub(crate) fn new() -> Layout {
        Layout { pages: vec![Content::new()], y: PAGE_HEIGHT - MARGIN }
    }

    pub(crate) fn text_width() -> f32 {
        PAGE_WIDTH - 2.0 * MARGIN
    }

    /// The current page, to draw on directly (the chart).
    pub(crate) fn page(&mut self) -> &mut Content {
        // `new` starts with one page and pages are only ever added.
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Moves down by `height` points, starting a new page when less than `height` is left.
    pub(crate) fn take(&mut self, height: f32) -> f32 {
        if self.y - height < MARGIN + FOOTER {
            self.pages.push(Content::new());
            self.y = PAGE_HEIGHT - MARGIN;
        }
        let top = self.y;
        self.y -= height;
        top
    }

    /// Starts a new page unless `height` points are left on this one (a heading kept with what follows it).
    pub(crate) fn keep(&mut self, height: f32) {
        if self.y - height < MARGIN + FOOTER {
            self.pages.push(Content::new());
            self.y = PAGE_HEIGHT - MARGIN;
        }
    }

    pub(crate) fn gap(&mut self, height: f32) {
        // A gap at the foot of a page is not carried to the next one.
        self.y = (self.y - height).max(MARGIN + FOOTER);
    }

    /// Paragraphs (split at line breaks; a blank line is a gap), wrapped to the text width.
    pub(crate) fn paragraphs(&mut self, face: Face, size: f32, text: &str) {
        for paragraph in text.lines() {
            if paragraph.trim().is_empty() {
                self.gap(size * 0.6);
                continue;
            }
            for line in wrap(face, size, paragraph, Layout::text_width()) {
                self.line(face, size, &line);
            }
        }
    }

    /// One line, not wrapped (the caller knows it fits).
    pub(crate) fn line(&mut self, face: Face, size: f32, line: &str) {
        let top = self.take(size * 1.35);
        show(self.page(), face, size, MARGIN, top - size, line);
    }

    /// A label in bold followed by its value, the value's further lines indented under it.
    pub(crate) fn field(&mut self, label: &str, value: &str) {
        let size = 10.5;
        let indent = width(Face::Bold, size, label) + 4.0;
        let lines = wrap(Face::Regular, size, value, Layout::text_width() - indent);
        for (n, line) in lines.iter().enumerate() {
            let top = self.take(size * 1.35);
            let baseline = top - size;
            if n == 0 {
                show(self.page(), Face::Bold, size, MARGIN, baseline, label);
            }
            show(self.page(), Face::Regular, size, MARGIN + indent, baseline, line);
        }
    }

    /// The document: every page with its number at the foot, the fonts, and the title in its properties.
    pub(crate) fn finish(self, title: &str, footer: &str) -> Vec<u8> {
        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let regular = Ref::new(3);
        let bold = Ref::new(4);
        let info = Ref::new(5);
        let first_page = 6;
        let count = self.pages.len();
        let page_ids: Vec<Ref> = (0..count).map(|n| Ref::new(first_page + 2 * n as i32)).collect();

        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree).kids(page_ids.iter().copied()).count(count as i32);
        for (face, id) in [(Face::Regular, regular), (Face::Bold, bold)] {
            pdf.type1_font(id).base_font(Name(face.base_font())).encoding_predefined(Name(b"WinAnsiEncoding"));
        }
        pdf.document_info(info).title(TextStr(title)).creator(TextStr("knead"));

        for (n, mut content) in self.pages.into_iter().enumerate() {
            let number = match footer.trim() {
                "" => format!("page {} of {count}", n + 1),
                footer => format!("{footer} \u{b7} page {} of {count}", n + 1),
            };
            let size = 8.5;
            let x = PAGE_WIDTH - MARGIN - width(Face::Regular, size, &number);
            content.set_fill_gray(0.35);
            show(&mut content, Face::Regular, size, x, MARGIN - 4.0, &number);
            let page_id = page_ids[n];
            let content_id = Ref::new(page_id.get() + 1);
            let mut page = pdf.page(page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).parent(tree).contents(content_id);
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            fonts.pair(Name(Face::Regular.resource()), regular);
            fonts.pair(Name(Face::Bold.resource()), bold);
            drop(fonts);
            drop(resources);
            drop(page);
            pdf.stream(content_id, &content.finish());
        }
        pdf.finish()
    }
}

/// Writes one run of text with its left end of baseline at (`x`, `baseline`).
pub(crate) fn show(content: &mut Content, face: Face, size: f32, x: f32, baseline: f32, text: &str) {
    content.begin_text();
    content.set_font(Name(face.resource()), size);
    content.next_line(x, baseline);
    content.show(Str(&encode(text)));
    content.end_text();
}
