//! The loopback listener that receives the browser's sign-in answer. Browsers open spare
//! connections ahead of time and ask for `/favicon.ico`, and any program on the machine can
//! knock on the port: so every connection is served on its own, whatever is not the redirect
//! gets a 404, an answer for another sign-in (a foreign `state`) is turned away, and the wait
//! ends at the first request that carries this sign-in's `state` — or an `error` from Entra.

use crate::error::GraphError;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use url::Url;

/// Longest request head read from one connection (a redirect with a code is a few KiB).
const MAX_HEAD: usize = 16 * 1024;

/// The page the browser shows after handing the answer back.
fn page(status: &str, title: &str, text: &str) -> String {
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>{title}</title><body style=\"font-family:system-ui;margin:60px\"><h1>{title}</h1><p>{text}</p></body>"
    );
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Reads one request head; `None` when the connection closes or sends too much first.
async fn request_target(reader: &mut BufReader<TcpStream>) -> Option<String> {
    let mut first = String::new();
    let mut total = 0;
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line).await.ok()?;
        total += n;
        if n == 0 || total > MAX_HEAD {
            return None;
        }
        if first.is_empty() {
            first = line.clone();
        }
        if line == "\r\n" || line == "\n" {
            break;
        }
    }
    first.split_whitespace().nth(1).map(str::to_string)
}

/// What one request means for this sign-in.
enum Request {
    /// Not the redirect (a favicon, a probe): 404, and keep waiting.
    Elsewhere,
    /// The redirect, but for another sign-in: turned away, keep waiting.
    Foreign,
    /// This sign-in's answer: the code, or Entra's refusal.
    Answer(Result<String, GraphError>),
}

fn classify(target: &str, state: &str) -> Request {
    let Ok(url) = Url::parse(&format!("http://localhost{target}")) else {
        return Request::Elsewhere;
    };
    if url.path() != "/" {
        return Request::Elsewhere;
    }
    let param = |k: &str| url.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.to_string());
    let error = param("error");
    match param("state") {
        Some(s) if s == state => {}
        // Entra's refusals carry the state too; one without any still ends this sign-in.
        None if error.is_some() => {}
        None if param("code").is_none() => return Request::Elsewhere,
        _ => return Request::Foreign,
    }
    Request::Answer(match (error, param("code")) {
        (Some(error), _) => Err(GraphError::SignIn {
            error,
            description: param("error_description").unwrap_or_default(),
            status: 0,
        }),
        (None, Some(code)) => Ok(code),
        (None, None) => Err(GraphError::SignIn {
            error: "no_code".into(),
            description: "The browser came back without an authorization code. Start the sign-in again.".into(),
            status: 0,
        }),
    })
}

/// Serves one connection, request after request, until it closes or brings this sign-in's answer.
async fn serve(stream: TcpStream, state: String, answers: mpsc::Sender<Result<String, GraphError>>) {
    let mut reader = BufReader::new(stream);
    while let Some(target) = request_target(&mut reader).await {
        let (reply, answer) = match classify(&target, &state) {
            Request::Elsewhere => (page("404 Not Found", "Not found", "Nothing here."), None),
            Request::Foreign => (
                page(
                    "400 Bad Request",
                    "Not this sign-in",
                    "This answer belongs to another sign-in and was ignored. Return to Guestpass.",
                ),
                None,
            ),
            Request::Answer(Ok(code)) => (
                page("200 OK", "Signed in", "Return to Guestpass; you can close this tab."),
                Some(Ok(code)),
            ),
            Request::Answer(Err(e)) => (
                page(
                    "200 OK",
                    "Sign-in did not complete",
                    &format!("{e}. Return to Guestpass."),
                ),
                Some(Err(e)),
            ),
        };
        let stream = reader.get_mut();
        let _ = stream.write_all(reply.as_bytes()).await;
        if let Some(answer) = answer {
            let _ = stream.shutdown().await;
            let _ = answers.send(answer).await;
            return;
        }
    }
}

/// Waits for this sign-in's answer on `listener` (for as long as the caller lets it) and
/// closes it then: the authorization code, or why there is none.
pub(crate) async fn wait_for_answer(listener: TcpListener, state: &str) -> Result<String, GraphError> {
    let (tx, mut answers) = mpsc::channel(1);
    // Connections are served side by side: an idle one holds nothing up. Dropping the set
    // when the answer is in ends the rest.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve(stream, state.to_string(), tx.clone()));
                }
                Err(e) => {
                    return Err(GraphError::Network {
                        host: "127.0.0.1".into(),
                        reason: format!("the sign-in answer could not be received: {e}"),
                    })
                }
            },
            Some(answer) = answers.recv() => return answer,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_sign_ins_answer_ends_the_wait() {
        assert!(matches!(classify("/favicon.ico", "s1"), Request::Elsewhere));
        assert!(matches!(classify("/", "s1"), Request::Elsewhere));
        assert!(matches!(classify("/?code=x&state=other", "s1"), Request::Foreign));
        assert!(matches!(classify("/?code=x", "s1"), Request::Foreign));
        assert!(matches!(classify("/?code=abc&state=s1", "s1"), Request::Answer(Ok(c)) if c == "abc"));
        assert!(matches!(
            classify("/?error=access_denied&state=s1", "s1"),
            Request::Answer(Err(GraphError::SignIn { error, .. })) if error == "access_denied"
        ));
        assert!(matches!(
            classify("/?error=access_denied", "s1"),
            Request::Answer(Err(_))
        ));
    }
}
