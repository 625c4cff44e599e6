//! One keep-alive HTTP/1.1 connection per simulated client (hyper's `client::conn::http1`),
//! over TCP or TLS, reconnecting only when the server closes it; every connect is counted,
//! so a run shows whether connections were really reused.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, bail};
use bytes::Bytes;
use http::{Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Where requests go.
pub struct Target {
    /// The endpoint without a trailing slash, e.g. `http://127.0.0.1:9229`.
    pub base: String,
    /// `host[:port]` as sent in `Host`.
    pub authority: String,
    host: String,
    port: u16,
    tls: Option<TlsConnector>,
    /// TCP connections opened so far, by every connection of the run.
    pub connects: AtomicU64,
}

impl Target {
    pub fn parse(endpoint: &str) -> anyhow::Result<Arc<Self>> {
        let base = endpoint.trim_end_matches('/').to_string();
        let uri: Uri = base
            .parse()
            .with_context(|| format!("--endpoint {endpoint:?}"))?;
        let https = match uri.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            _ => bail!("--endpoint {endpoint:?}: expected http://host[:port] or https://..."),
        };
        if uri.path() != "/" && !uri.path().is_empty() {
            bail!("--endpoint {endpoint:?}: give the base URL without a path");
        }
        let authority = uri.authority().context("--endpoint has no host")?.clone();
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        let tls = if https {
            let mut roots = rustls::RootCertStore::empty();
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
            Some(TlsConnector::from(Arc::new(config)))
        } else {
            None
        };
        Ok(Arc::new(Self {
            base,
            authority: authority.as_str().to_string(),
            host,
            port,
            tls,
            connects: AtomicU64::new(0),
        }))
    }

    async fn connect(&self) -> anyhow::Result<SendRequest<Full<Bytes>>> {
        let tcp = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .with_context(|| format!("connecting to {}", self.authority))?;
        tcp.set_nodelay(true)?;
        self.connects.fetch_add(1, Ordering::Relaxed);
        let send = match &self.tls {
            None => {
                let (send, conn) = http1::handshake(TokioIo::new(tcp)).await?;
                tokio::spawn(conn);
                send
            }
            Some(tls) => {
                let name = rustls::pki_types::ServerName::try_from(self.host.clone())?;
                let stream = tls.connect(name, tcp).await?;
                let (send, conn) = http1::handshake(TokioIo::new(stream)).await?;
                tokio::spawn(conn);
                send
            }
        };
        Ok(send)
    }
}

/// A response read whole.
pub struct Reply {
    pub status: u16,
    pub error_type: Option<String>,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// `400 NotAuthorizedException` for an AWS JSON error, `404` for a bare status.
    pub fn error_kind(&self) -> String {
        let from_body = self
            .json()
            .get("__type")
            .and_then(|t| t.as_str())
            .map(str::to_string);
        let kind = self.error_type.clone().or(from_body).map(|t| {
            // `x-amzn-ErrorType` may carry `:http://...`; `__type` may carry a namespace.
            let t = t.split(':').next().unwrap_or_default();
            t.rsplit('#').next().unwrap_or_default().to_string()
        });
        match kind {
            Some(kind) if !kind.is_empty() => format!("{} {kind}", self.status),
            _ => self.status.to_string(),
        }
    }
}

/// One client's keep-alive connection.
pub struct Conn {
    target: Arc<Target>,
    send: Option<SendRequest<Full<Bytes>>>,
}

impl Conn {
    pub fn new(target: Arc<Target>) -> Self {
        Self { target, send: None }
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Sends `request` (origin-form URI; `Host` is added) and reads the whole response.
    /// Connects first when there is no open connection. A server that closes connections
    /// after a response (`Connection: close`, HTTP/1.0 servers) gets the request again on a
    /// new connection when the old one turns out closed before the request was sent; after
    /// any other error the connection is dropped and the next call opens a new one.
    pub async fn send(&mut self, mut request: Request<Full<Bytes>>) -> anyhow::Result<Reply> {
        request.headers_mut().insert(
            http::header::HOST,
            http::HeaderValue::from_str(&self.target.authority)?,
        );
        let mut reconnects = 0;
        loop {
            if self.send.as_ref().is_none_or(|s| s.is_closed()) {
                self.send = Some(self.target.connect().await?);
            }
            let send = self.send.as_mut().expect("connected");
            if send.ready().await.is_err() {
                // Closed by the server since its last response; nothing was sent.
                self.send = None;
                reconnects += 1;
                anyhow::ensure!(reconnects <= 2, "the server closes every new connection");
                continue;
            }
            let response = match send.try_send_request(request).await {
                Ok(response) => response,
                Err(mut err) => {
                    self.send = None;
                    match err.take_message() {
                        Some(unsent) if reconnects < 2 => {
                            reconnects += 1;
                            request = unsent;
                            continue;
                        }
                        _ => return Err(err.into_error().into()),
                    }
                }
            };
            let (parts, body) = response.into_parts();
            let body = match body.collect().await {
                Ok(body) => body.to_bytes(),
                Err(err) => {
                    self.send = None;
                    return Err(err.into());
                }
            };
            return Ok(Reply {
                status: parts.status.as_u16(),
                error_type: parts
                    .headers
                    .get("x-amzn-errortype")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                body,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let t = Target::parse("http://127.0.0.1:9229/").unwrap();
        assert_eq!(t.base, "http://127.0.0.1:9229");
        assert_eq!((t.host.as_str(), t.port), ("127.0.0.1", 9229));
        let t = Target::parse("https://cognito-idp.us-east-1.amazonaws.com").unwrap();
        assert_eq!(t.port, 443);
        assert!(t.tls.is_some());
        assert!(Target::parse("ftp://x").is_err());
        assert!(Target::parse("http://x/path").is_err());
    }

    /// A server that answers one request per connection with `Connection: close`, as
    /// HTTP/1.0-style servers (werkzeug, moto) do: every request still gets its answer.
    #[tokio::test]
    async fn servers_that_close_after_each_response() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let mut served = 0u32;
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                let mut buf = vec![0u8; 4096];
                let mut read = 0;
                while !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                    read += socket.read(&mut buf[read..]).await.unwrap();
                }
                served += 1;
                let body = format!("{{\"n\":{served}}}");
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                socket.write_all(head.as_bytes()).await.unwrap();
                socket.write_all(body.as_bytes()).await.unwrap();
            }
        });
        let target = Target::parse(&format!("http://127.0.0.1:{port}")).unwrap();
        let mut conn = Conn::new(target.clone());
        for n in 1..=3 {
            let request = Request::get("/").body(Full::new(Bytes::new())).unwrap();
            let reply = conn.send(request).await.unwrap();
            assert_eq!((reply.status, reply.json()["n"].as_u64()), (200, Some(n)));
        }
        assert_eq!(target.connects.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn error_kinds() {
        let reply = |status, header: Option<&str>, body: &str| Reply {
            status,
            error_type: header.map(str::to_string),
            body: Bytes::from(body.to_string()),
        };
        assert_eq!(
            reply(
                400,
                Some("NotAuthorizedException:http://internal.amazon.com/"),
                ""
            )
            .error_kind(),
            "400 NotAuthorizedException"
        );
        assert_eq!(
            reply(
                400,
                None,
                r#"{"__type":"com.amazonaws.cognito#TooManyRequestsException"}"#
            )
            .error_kind(),
            "400 TooManyRequestsException"
        );
        assert_eq!(reply(404, None, "not found").error_kind(), "404");
    }
}
