//! Printable documents as PDF: the referral letter.

use knead_app::records::ReferralFile;

/// The referral letter as a PDF: the practice's header, the recipient, the client, the reason and urgency,
/// the body (red-flag results, score history, treatment so far), the score chart, and the signature line.
#[allow(dead_code)]
pub(crate) fn referral_pdf(file: &ReferralFile) -> Vec<u8> {
    let _ = file;
    todo!("web: referral pdf")
}
