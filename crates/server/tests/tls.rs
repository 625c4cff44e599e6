//! `serve` with the development CA (`--tls-self-signed`): a client trusting only `ca.pem`
//! talks HTTPS to it; a client that does not trust the CA fails the handshake, and the
//! server keeps serving.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use cognitod_crypto::{Clock, ManualClock, SystemClock};
use cognitod_server::config::StoreArgs;
use cognitod_server::secrets::RootKey;
use cognitod_server::{ServerOptions, open_backend, start, tls};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

fn client_config(roots: RootCertStore) -> Arc<ClientConfig> {
    let config = ClientConfig::builder_with_provider(tls::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

/// One HTTP/1.1 request over TLS; the raw response, or the connection/handshake error.
async fn https(
    config: Arc<ClientConfig>,
    addr: SocketAddr,
    server_name: &str,
    request: &str,
) -> std::io::Result<String> {
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::try_from(server_name.to_string()).unwrap();
    let mut stream = TlsConnector::from(config).connect(name, tcp).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    Ok(String::from_utf8_lossy(&response).into_owned())
}

const LIVE: &str = "GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

#[tokio::test]
async fn https_with_the_development_ca() {
    let dir = tempfile::tempdir().unwrap();
    let store_args = StoreArgs {
        data_dir: dir.path().join("data"),
        database_url: None,
    };
    let backend = open_backend(&store_args).await.unwrap();
    let dev = tls::self_signed(&store_args.data_dir, &[], &SystemClock).unwrap();
    let ca_path = dev.dev_ca.as_ref().unwrap().ca_cert.clone();
    assert_eq!(
        ca_path,
        store_args.data_dir.join("ca.pem").canonicalize().unwrap()
    );
    let root = RootKey {
        access_key_id: cognitod_crypto::access_key_id(),
        secret_access_key: cognitod_crypto::secret_access_key(),
    };
    let clock = Arc::new(ManualClock::new(1_700_000_000_000)) as Arc<dyn Clock>;
    let server = start(
        &backend,
        root,
        ServerOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            region: "us-east-1".to_string(),
            public_url: None,
            insecure_dev: false,
            clock,
            tls: Some(dev.config.clone()),
            senders: Default::default(),
            connections: Default::default(),
        },
    )
    .await
    .unwrap();
    let addr = server.addr;
    assert_eq!(server.public_url, format!("https://{addr}"));

    let mut trusted = RootCertStore::empty();
    for cert in tls::read_certificates(&ca_path).unwrap() {
        trusted.add(cert).unwrap();
    }
    let trusting = client_config(trusted);

    // A client that trusts nothing (not the dev CA) is refused at the handshake...
    let err = https(
        client_config(RootCertStore::empty()),
        addr,
        "localhost",
        LIVE,
    )
    .await
    .expect_err("an untrusted CA must fail the handshake");
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "unexpected error: {err}"
    );
    // ...and so is a name the certificate does not cover.
    https(trusting.clone(), addr, "example.com", LIVE)
        .await
        .expect_err("a name outside the certificate must fail");
    // A client that is not speaking TLS at all, and one that connects and says nothing.
    let mut plain = TcpStream::connect(addr).await.unwrap();
    plain.write_all(LIVE.as_bytes()).await.unwrap();
    let mut sink = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), plain.read_to_end(&mut sink)).await;
    let _silent = TcpStream::connect(addr).await.unwrap();

    // None of that stopped the server: the trusting client is served, by every name.
    for name in ["localhost", "127.0.0.1"] {
        let response = https(trusting.clone(), addr, name, LIVE).await.unwrap();
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(response.ends_with(r#"{"status":"ok"}"#), "{response}");
    }

    // Handlers still see the peer address (ConnectInfo): an unsigned API call gets an AWS
    // error, not axum's 500 for a missing ConnectInfo extension.
    let body = "{}";
    let call = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: \
         AWSCognitoIdentityProviderService.ListUserPools\r\nContent-Type: \
         application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let response = https(trusting.clone(), addr, "localhost", &call)
        .await
        .unwrap();
    assert!(response.starts_with("HTTP/1.1 4"), "{response}");
    assert!(
        !response.contains("Missing request extension"),
        "{response}"
    );

    // A kept-alive HTTPS connection, idle after one request, does not hold up the stop.
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let mut idle = TlsConnector::from(trusting.clone())
        .connect(name, tcp)
        .await
        .unwrap();
    idle.write_all(b"GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut seen = Vec::new();
    while !seen.ends_with(br#"{"status":"ok"}"#) {
        let mut buf = [0u8; 1024];
        let n = idle.read(&mut buf).await.unwrap();
        assert!(n > 0, "connection closed early");
        seen.extend_from_slice(&buf[..n]);
    }

    // Graceful stop, then a restart reuses the same CA.
    tokio::time::timeout(Duration::from_secs(30), server.stop())
        .await
        .expect("stop finishes")
        .unwrap();
    // The port is free again once stop returns.
    drop(tokio::net::TcpListener::bind(addr).await.unwrap());
    let ca_before = std::fs::read(&ca_path).unwrap();
    let again = tls::self_signed(&store_args.data_dir, &[], &SystemClock).unwrap();
    let dev_again = again.dev_ca.unwrap();
    assert!(!dev_again.ca_created && !dev_again.server_cert_issued);
    assert_eq!(std::fs::read(&ca_path).unwrap(), ca_before);
}
