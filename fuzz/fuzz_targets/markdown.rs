//! Articles' Markdown: whatever an author types, the HTML never holds a raw `<script`, an `on...=` handler
//! or any attribute Markdown does not write, or a link or image to a scheme other than http, https or mailto.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|markdown: &str| {
    let html = knead_web::fuzzing::to_html(markdown);
    if let Some(why) = knead_web::fuzzing::unsafe_markup(&html) {
        panic!("unsafe markup ({why}) from {markdown:?}:\n{html}");
    }
});
