//! How login codes reach people's phones: a development sender that writes
//! the code to the service log (and keeps the latest for the console's dev
//! page and the tests), or a webhook to a real SMS gateway. A sender is
//! handed the number on record; it never chooses one.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

/// A code to send.
#[derive(Debug, Clone, Serialize)]
pub struct CodeMessage {
    /// The number on record, digits only.
    pub to: String,
    pub code: String,
    /// The text as the person reads it, in their locale.
    pub text: String,
    pub locale: String,
    /// When the code stops working (Unix ms).
    pub expires_at: i64,
}

/// Where codes go (`login_sender`).
pub enum Sender {
    /// The service log, and the latest codes in memory.
    Dev(Outbox),
    /// An HTTP POST of the message as JSON to the gateway's URL.
    Webhook {
        url: String,
        client: reqwest::Client,
    },
}

/// The latest codes a development sender sent.
#[derive(Default)]
pub struct Outbox {
    sent: Mutex<VecDeque<CodeMessage>>,
}

/// How many codes the development outbox keeps.
const KEPT: usize = 50;

impl Outbox {
    /// The latest code sent to `phone`.
    pub fn latest(&self, phone: &str) -> Option<CodeMessage> {
        let sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        sent.iter().rev().find(|m| m.to == phone).cloned()
    }

    /// The codes kept, newest first (the console's dev page).
    pub fn recent(&self) -> Vec<CodeMessage> {
        let sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        sent.iter().rev().cloned().collect()
    }

    fn push(&self, message: &CodeMessage) {
        let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        if sent.len() == KEPT {
            sent.pop_front();
        }
        sent.push_back(message.clone());
    }
}

impl Sender {
    /// The sender the configuration names.
    pub fn from_config(kind: &str, url: Option<&str>) -> anyhow::Result<Sender> {
        match (kind, url) {
            ("dev", _) => Ok(Sender::Dev(Outbox::default())),
            ("webhook", Some(url)) if url.starts_with("http://") => Ok(Sender::Webhook {
                url: url.to_owned(),
                client: reqwest::Client::builder()
                    .timeout(Duration::from_secs(5))
                    .build()?,
            }),
            ("webhook", Some(url)) => anyhow::bail!(
                "login_webhook_url `{url}` must be an http:// URL (https needs TLS, not built in yet)"
            ),
            ("webhook", None) => {
                anyhow::bail!("login_sender = \"webhook\" needs login_webhook_url")
            }
            (other, _) => anyhow::bail!("login_sender `{other}` is neither `dev` nor `webhook`"),
        }
    }

    /// The development outbox, if this is the development sender.
    pub fn outbox(&self) -> Option<&Outbox> {
        match self {
            Sender::Dev(outbox) => Some(outbox),
            Sender::Webhook { .. } => None,
        }
    }

    /// Sends a code.
    pub async fn send(&self, message: &CodeMessage) -> Result<(), String> {
        match self {
            Sender::Dev(outbox) => {
                tracing::info!(to = %message.to, code = %message.code, "login code (login_sender = dev)");
                outbox.push(message);
                Ok(())
            }
            Sender::Webhook { url, client } => {
                let answer = client
                    .post(url)
                    .json(message)
                    .send()
                    .await
                    .map_err(|e| format!("the SMS gateway at {url} did not answer: {e}"))?;
                if answer.status().is_success() {
                    Ok(())
                } else {
                    Err(format!(
                        "the SMS gateway at {url} answered {}",
                        answer.status()
                    ))
                }
            }
        }
    }
}
