//! The scenarios: what one operation of each is, on one client's connection.

use aws_cognito_srp::{SrpClient, User};
use base64::Engine;
use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

use crate::api::{Failure, call, send};
use crate::http::Conn;
use crate::sign::Signer;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    AdminCreateUser,
    SignUp,
    InitiateAuth,
    SrpAuth,
    Refresh,
    GetUser,
    ListUsersFilter,
    Jwks,
    ClientCredentials,
}

impl Scenario {
    pub const ALL: [Scenario; 9] = [
        Scenario::AdminCreateUser,
        Scenario::SignUp,
        Scenario::InitiateAuth,
        Scenario::SrpAuth,
        Scenario::Refresh,
        Scenario::GetUser,
        Scenario::ListUsersFilter,
        Scenario::Jwks,
        Scenario::ClientCredentials,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::AdminCreateUser => "admin_create_user",
            Scenario::SignUp => "sign_up",
            Scenario::InitiateAuth => "initiate_auth",
            Scenario::SrpAuth => "srp_auth",
            Scenario::Refresh => "refresh",
            Scenario::GetUser => "get_user",
            Scenario::ListUsersFilter => "list_users_filter",
            Scenario::Jwks => "jwks",
            Scenario::ClientCredentials => "client_credentials",
        }
    }

    /// `all` or a comma list of names, in the order given.
    pub fn parse_list(list: &str) -> anyhow::Result<Vec<Scenario>> {
        let mut out = Vec::new();
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if name == "all" {
                out.extend(Self::ALL);
                continue;
            }
            let scenario = Self::ALL
                .into_iter()
                .find(|s| s.name() == name)
                .ok_or_else(|| {
                    let names: Vec<_> = Self::ALL.iter().map(|s| s.name()).collect();
                    anyhow::anyhow!(
                        "unknown scenario {name:?}; expected all or {}",
                        names.join(", ")
                    )
                })?;
            out.push(scenario);
        }
        out.dedup();
        if out.is_empty() {
            anyhow::bail!("no scenario given");
        }
        Ok(out)
    }

    /// The row of the ceilings bench that bounds this scenario per core, if any.
    pub fn ceiling_name(self) -> Option<&'static str> {
        match self {
            Scenario::InitiateAuth => Some("password_login_ceiling"),
            Scenario::SrpAuth => Some("srp_login_ceiling"),
            Scenario::Refresh => Some("refresh_ceiling"),
            Scenario::GetUser => Some("get_user_ceiling"),
            _ => None,
        }
    }

    /// Whether the scenario signs in as the per-connection users.
    pub fn needs_login_users(self) -> bool {
        matches!(
            self,
            Scenario::InitiateAuth | Scenario::SrpAuth | Scenario::Refresh | Scenario::GetUser
        )
    }

    /// Whether an operation needs the client's tokens from a first sign-in.
    pub fn needs_tokens(self) -> bool {
        matches!(self, Scenario::Refresh | Scenario::GetUser)
    }
}

/// What every client of a run shares.
pub struct Shared {
    pub signer: Signer,
    pub pool_id: String,
    pub client_id: String,
    pub password: String,
    /// Users with passwords and SRP verifiers, one per connection (created through the API).
    pub login_users: Vec<String>,
    /// Prefix and count of the ListUsers fixture users (`<prefix><n:07>`).
    pub list_prefix: String,
    pub list_users: u64,
    /// Distinguishes the names this run creates.
    pub run_id: String,
    /// Confidential client for the token endpoint: (id, secret, scope).
    pub token_client: Option<(String, String, String)>,
}

/// One simulated client: its connection and its state.
pub struct Worker {
    pub index: usize,
    pub conn: Conn,
    pub rng: StdRng,
    pub seq: u64,
    pub requests: u64,
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
}

impl Worker {
    fn login_user<'a>(&self, shared: &'a Shared) -> &'a str {
        &shared.login_users[self.index % shared.login_users.len()]
    }

    async fn call(
        &mut self,
        signer: Option<&Signer>,
        operation: &str,
        body: &Value,
    ) -> Result<Value, Failure> {
        self.requests += 1;
        call(&mut self.conn, signer, operation, body).await
    }

    /// Signs in with USER_PASSWORD_AUTH; keeps the tokens.
    pub async fn password_sign_in(&mut self, shared: &Shared) -> Result<(), Failure> {
        let user = self.login_user(shared).to_string();
        let body = json!({"ClientId": shared.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                          "AuthParameters": {"USERNAME": user, "PASSWORD": shared.password}});
        let reply = self.call(None, "InitiateAuth", &body).await?;
        self.keep_tokens(&reply)
    }

    fn keep_tokens(&mut self, reply: &Value) -> Result<(), Failure> {
        let result = &reply["AuthenticationResult"];
        let access = result["AccessToken"]
            .as_str()
            .ok_or_else(|| Failure("200 without tokens".into()))?;
        self.access_token = Some(access.to_string());
        if let Some(refresh) = result["RefreshToken"].as_str() {
            self.refresh_token = Some(refresh.to_string());
        }
        Ok(())
    }

    /// One operation of `scenario`.
    pub async fn run(&mut self, scenario: Scenario, shared: &Shared) -> Result<(), Failure> {
        self.seq += 1;
        match scenario {
            Scenario::AdminCreateUser => {
                let username = format!("bench-{}-{}-{}", shared.run_id, self.index, self.seq);
                let body = json!({"UserPoolId": shared.pool_id, "Username": username,
                    "MessageAction": "SUPPRESS",
                    "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")}]});
                self.call(Some(&shared.signer), "AdminCreateUser", &body)
                    .await
                    .map(drop)
            }
            Scenario::SignUp => {
                let username = format!("signup-{}-{}-{}", shared.run_id, self.index, self.seq);
                let body = json!({"ClientId": shared.client_id, "Username": username,
                    "Password": shared.password,
                    "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")}]});
                self.call(None, "SignUp", &body).await.map(drop)
            }
            Scenario::InitiateAuth => self.password_sign_in(shared).await,
            Scenario::SrpAuth => self.srp_sign_in(shared).await,
            Scenario::Refresh => {
                let token = self.refresh_token.clone().unwrap_or_default();
                let body = json!({"ClientId": shared.client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
                                  "AuthParameters": {"REFRESH_TOKEN": token}});
                let reply = self.call(None, "InitiateAuth", &body).await?;
                self.keep_tokens(&reply)
            }
            Scenario::GetUser => {
                let body = json!({"AccessToken": self.access_token.clone().unwrap_or_default()});
                self.call(None, "GetUser", &body).await.map(drop)
            }
            Scenario::ListUsersFilter => {
                let n = self.rng.random_range(0..shared.list_users.max(1));
                let username = format!("{}{n:07}", shared.list_prefix);
                // Alternately an exact username and an email prefix that matches up to 10.
                let filter = if self.seq.is_multiple_of(2) {
                    format!("username = \"{username}\"")
                } else {
                    format!("email ^= \"{}\"", &username[..username.len() - 1])
                };
                let body = json!({"UserPoolId": shared.pool_id, "Filter": filter});
                let reply = self.call(Some(&shared.signer), "ListUsers", &body).await?;
                match reply["Users"].as_array() {
                    Some(users) if !users.is_empty() => Ok(()),
                    _ => Err(Failure("200 with no user found".into())),
                }
            }
            Scenario::Jwks => {
                let request = Request::get(format!("/{}/.well-known/jwks.json", shared.pool_id))
                    .body(Full::new(Bytes::new()))
                    .map_err(|e| Failure(format!("request: {e}")))?;
                self.requests += 1;
                let reply = send(&mut self.conn, request).await?;
                match reply.status {
                    200 if reply.json()["keys"].is_array() => Ok(()),
                    200 => Err(Failure("200 without keys".into())),
                    _ => Err(Failure(reply.error_kind())),
                }
            }
            Scenario::ClientCredentials => {
                let (id, secret, scope) = shared
                    .token_client
                    .as_ref()
                    .ok_or_else(|| Failure("no confidential client".into()))?;
                let request = token_request(id, secret, scope)
                    .map_err(|e| Failure(format!("request: {e}")))?;
                self.requests += 1;
                let reply = send(&mut self.conn, request).await?;
                match reply.status {
                    200 if reply.json()["access_token"].is_string() => Ok(()),
                    200 => Err(Failure("200 without access_token".into())),
                    _ => Err(Failure(reply.error_kind())),
                }
            }
        }
    }

    /// USER_SRP_AUTH then PASSWORD_VERIFIER, the two requests of an SRP sign-in. The client
    /// side (A = g^a, then S and the claim) runs here, on the load generator's CPU.
    async fn srp_sign_in(&mut self, shared: &Shared) -> Result<(), Failure> {
        let user = self.login_user(shared).to_string();
        let srp = SrpClient::new(
            User::new(&shared.pool_id, &user, &shared.password),
            &shared.client_id,
            None,
        );
        let body = json!({"ClientId": shared.client_id, "AuthFlow": "USER_SRP_AUTH",
                          "AuthParameters": {"USERNAME": user, "SRP_A": srp.get_auth_parameters().a}});
        let started = self.call(None, "InitiateAuth", &body).await?;
        let p = &started["ChallengeParameters"];
        let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
        let proof = srp
            .verify(
                &s("SECRET_BLOCK"),
                &s("USER_ID_FOR_SRP"),
                &s("SALT"),
                &s("SRP_B"),
            )
            .map_err(|e| Failure(format!("srp client: {e:?}")))?;
        let body = json!({"ClientId": shared.client_id, "ChallengeName": "PASSWORD_VERIFIER",
            "Session": started["Session"],
            "ChallengeResponses": {
                "USERNAME": s("USER_ID_FOR_SRP"),
                "PASSWORD_CLAIM_SECRET_BLOCK": s("SECRET_BLOCK"),
                "TIMESTAMP": proof.timestamp,
                "PASSWORD_CLAIM_SIGNATURE": proof.password_claim_signature}});
        let done = self.call(None, "RespondToAuthChallenge", &body).await?;
        self.keep_tokens(&done)
    }
}

/// `POST /oauth2/token` with grant_type=client_credentials and HTTP Basic client auth.
pub fn token_request(
    client_id: &str,
    secret: &str,
    scope: &str,
) -> anyhow::Result<Request<Full<Bytes>>> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
    let mut body = String::from("grant_type=client_credentials");
    if !scope.is_empty() {
        body.push_str("&scope=");
        body.push_str(&scope.replace('/', "%2F").replace(' ', "+"));
    }
    Ok(Request::post("/oauth2/token")
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(http::header::AUTHORIZATION, format!("Basic {basic}"))
        .body(Full::new(Bytes::from(body)))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_lists() {
        assert_eq!(Scenario::parse_list("all").unwrap().len(), 9);
        assert_eq!(
            Scenario::parse_list("refresh, get_user").unwrap(),
            vec![Scenario::Refresh, Scenario::GetUser]
        );
        assert!(Scenario::parse_list("nope").is_err());
        assert!(Scenario::parse_list("").is_err());
    }
}
