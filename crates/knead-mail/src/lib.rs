//! knead's mail adapter: the application's [`Mailer`] port over SMTP, with lettre.
//!
//! `smtp://[user:password@]host[:port]` connects in plain text and upgrades with STARTTLS when the server
//! offers it (port 587 by default); `smtps://` speaks TLS from the first byte (port 465). Credentials, when
//! given, are sent only after the upgrade when there is one. Each message is `multipart/mixed`: a
//! `multipart/alternative` of the plain text and the HTML, then the visit's `.ics` as `text/calendar` with
//! its `method` (`PUBLISH`, or `CANCEL` for a cancellation), which calendar programs pick up.
//!
//! A reply the server gives with a 4xx code, or a connection that fails, may pass: the job is retried. A
//! 5xx reply (the address refused) will not.

use async_trait::async_trait;
use knead_app::notify::{Mail, Mailer, SendError};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, Mailboxes, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Why the mail settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    #[error("smtp_url: {0}")]
    Url(String),
    #[error("smtp_from: {0}")]
    From(String),
}

/// Sends through one SMTP server.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    server: String,
}

/// A connection, a reply or the whole exchange that takes longer than this fails (and is retried).
const TIMEOUT: Duration = Duration::from_secs(30);

impl SmtpMailer {
    /// A mailer for `smtp_url`, sending as `from`: `"Lakeshore Spa <hello@spa.example>"`, or an address alone,
    /// which is then shown under `name` (the practice's).
    pub fn new(smtp_url: &str, from: &str, name: &str) -> Result<SmtpMailer, MailConfigError> {
        let url = SmtpUrl::parse(smtp_url)?;
        let bad = |e: &dyn std::fmt::Display| {
            MailConfigError::From(format!("{e}: give an address, such as \"Spa <hello@spa.example>\""))
        };
        let from: Mailbox = match from.contains('<') {
            true => from.parse().map_err(|e| bad(&e))?,
            false => Mailbox::new(Some(name.to_string()), from.trim().parse().map_err(|e| bad(&e))?),
        };
        let tls_parameters = TlsParameters::new(url.host.clone())
            .map_err(|e| MailConfigError::Url(format!("TLS for {}: {e}", url.host)))?;
        let tls = match url.implicit_tls {
            true => Tls::Wrapper(tls_parameters),
            false => Tls::Opportunistic(tls_parameters),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(url.host.as_str())
            .port(url.port)
            .tls(tls)
            .timeout(Some(TIMEOUT));
        if let Some((user, password)) = url.credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        let server = format!("{}://{}:{}", if url.implicit_tls { "smtps" } else { "smtp" }, url.host, url.port);
        Ok(SmtpMailer { transport: builder.build(), from, server })
    }

    /// The server's scheme, host and port, without credentials, for the log.
    pub fn server(&self) -> &str {
        &self.server
    }

    fn message(&self, mail: &Mail) -> Result<Message, SendError> {
        // One address, or several separated by commas (a safety alert goes to every manager).
        let to: Mailboxes = mail
            .to
            .parse()
            .map_err(|e| SendError::Permanent(format!("the recipient's address cannot be used: {e}")))?;
        let mut builder = Message::builder().from(self.from.clone()).subject(mail.subject.clone());
        for mailbox in to {
            builder = builder.to(mailbox);
        }
        if let Some(reply_to) = mail.reply_to.as_deref().and_then(|r| r.parse::<Mailbox>().ok()) {
            builder = builder.reply_to(reply_to);
        }
        builder = builder.message_id(Some(mail.message_id.clone()));
        let bodies = MultiPart::alternative()
            .singlepart(SinglePart::plain(mail.text.clone()))
            .singlepart(SinglePart::html(mail.html.clone()));
        let body = match &mail.calendar {
            None => bodies,
            Some(calendar) => {
                let method = if calendar.cancel { "CANCEL" } else { "PUBLISH" };
                let kind = ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                    .map_err(|e| SendError::Permanent(format!("the calendar part: {e}")))?;
                let file = if calendar.cancel { "cancel.ics" } else { "visit.ics" };
                MultiPart::mixed()
                    .multipart(bodies)
                    .singlepart(Attachment::new(file.to_string()).body(calendar.ics.clone(), kind))
            }
        };
        let mut message = builder
            .multipart(body)
            .map_err(|e| SendError::Permanent(format!("the message could not be built: {e}")))?;
        // Marks the message as the practice's own notice, for filters and auto-replies.
        message
            .headers_mut()
            .insert_raw(HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-generated".into()));
        Ok(message)
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &Mail) -> Result<(), SendError> {
        let message = self.message(mail)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(describe(&e))),
            Err(e) => Err(SendError::Temporary(describe(&e))),
        }
    }
}

/// The error without the message or its addresses (lettre's text names neither).
fn describe(e: &lettre::transport::smtp::Error) -> String {
    match e.status() {
        Some(code) => format!("the mail server answered {code}: {e}"),
        None => format!("the mail server could not be reached: {e}"),
    }
}

/// An `smtp://` or `smtps://` URL, read.
#[derive(Debug, PartialEq)]
struct SmtpUrl {
    implicit_tls: bool,
    host: String,
    port: u16,
    credentials: Option<(String, String)>,
}

impl SmtpUrl {
    fn parse(text: &str) -> Result<SmtpUrl, MailConfigError> {
        let bad = |why: &str| {
            MailConfigError::Url(format!("{why} (expected smtp://[user:password@]host[:port] or smtps://…)"))
        };
        let (implicit_tls, rest) = match text.split_once("://") {
            Some(("smtp", rest)) => (false, rest),
            Some(("smtps", rest)) => (true, rest),
            _ => return Err(bad("the scheme must be smtp or smtps")),
        };
        let rest = rest.trim_end_matches('/');
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let credentials = match userinfo {
            None => None,
            Some(u) => {
                let (user, password) = u.split_once(':').ok_or_else(|| bad("credentials need user:password"))?;
                Some((
                    percent_decode(user).ok_or_else(|| bad("bad %-escape in the user"))?,
                    percent_decode(password).ok_or_else(|| bad("bad %-escape in the password"))?,
                ))
            }
        };
        let default_port = if implicit_tls { 465 } else { 587 };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => {
                (h, p.parse::<u16>().map_err(|_| bad("the port must be a number from 1 to 65535"))?)
            }
            _ => (hostport, default_port),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || port == 0 {
            return Err(bad("a host and a port are needed"));
        }
        Ok(SmtpUrl { implicit_tls, host: host.to_string(), port, credentials })
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_the_scheme_host_port_and_credentials() {
        let plain = SmtpUrl::parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(plain, SmtpUrl { implicit_tls: false, host: "127.0.0.1".into(), port: 2525, credentials: None });
        let full = SmtpUrl::parse("smtps://me%40spa.example:p%3Ass@mail.example").unwrap();
        assert_eq!(
            full,
            SmtpUrl {
                implicit_tls: true,
                host: "mail.example".into(),
                port: 465,
                credentials: Some(("me@spa.example".into(), "p:ss".into()))
            }
        );
        assert_eq!(SmtpUrl::parse("smtp://mail.example").unwrap().port, 587);
        for bad in ["http://mail.example", "smtp://", "smtp://host:99999", "smtp://user@host", "mail.example"] {
            assert!(SmtpUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_message_to_several_addresses_names_each_in_to() {
        let mailer = SmtpMailer::new("smtp://127.0.0.1:2525", "spa@example.com", "Spa").unwrap();
        let mail = Mail {
            to: "alex@example.com, kim@example.com".into(),
            reply_to: None,
            subject: "Safety alert".into(),
            text: "text".into(),
            html: "<p>html</p>".into(),
            calendar: None,
            message_id: "<job-1.1@spa.example>".into(),
        };
        let formatted = String::from_utf8(mailer.message(&mail).unwrap().formatted()).unwrap();
        assert!(formatted.contains("To: alex@example.com, kim@example.com"), "{formatted}");
        let bad = Mail { to: "alex@example.com, not an address".into(), ..mail };
        assert!(matches!(mailer.message(&bad), Err(SendError::Permanent(_))));
    }

    #[test]
    fn a_bad_sender_is_refused_naming_smtp_from() {
        let e = SmtpMailer::new("smtp://127.0.0.1:2525", "not an address", "Spa").err().unwrap();
        assert!(e.to_string().starts_with("smtp_from:"), "{e}");
    }
}
