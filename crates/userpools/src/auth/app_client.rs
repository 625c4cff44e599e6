//! The app client an unsigned call names: its pool, which auth flows it allows, its secret
//! check, its token lifetimes and its user-existence policy.

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode};

use crate::service::UserPools;
use crate::shared::client_secrets;
use crate::shared::errors;
use crate::shared::identity::PoolIdentity;
use crate::shared::stored::pool_not_found;

/// An app client with its pool, loaded for one call.
pub(crate) struct AppClient {
    pub pool_id: String,
    pub pool: UserPoolType,
    pub identity: PoolIdentity,
    pub client: UserPoolClientType,
    /// The client's secrets, opened (empty for a public client).
    pub secrets: Vec<String>,
}

/// The pool id is the part of a client's record we need first; clients are stored per pool,
/// so unsigned calls (which name only the client) find the pool through the client id.
pub(crate) async fn load(svc: &UserPools, client_id: &str) -> Result<AppClient, Error> {
    let record = svc
        .store
        .find_client(client_id)
        .await
        .map_err(errors::store)?
        .ok_or_else(|| {
            Error::new(
                ErrorCode::ResourceNotFoundException,
                "User pool client does not exist.",
            )
        })?;
    let pool_id = record.pool_id.clone();
    let pool_record = svc
        .store
        .get_pool(&pool_id)
        .await
        .map_err(errors::store)?
        .ok_or_else(|| pool_not_found(&pool_id))?;
    let pool: UserPoolType =
        serde_json::from_value(pool_record.config).map_err(errors::internal)?;
    // The record found by client id is the client's whole record: no second read.
    let client: UserPoolClientType =
        serde_json::from_value(record.config).map_err(errors::internal)?;
    let opened = client_secrets::list(svc, &pool_id, client_id)
        .await?
        .iter()
        .map(|s| client_secrets::open(svc, s))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(AppClient {
        identity: PoolIdentity::of(&pool),
        pool_id,
        pool,
        client,
        secrets: opened,
    })
}

/// Loads a client an admin call names with its pool id.
pub(crate) async fn load_in_pool(
    svc: &UserPools,
    pool_id: &str,
    client_id: &str,
) -> Result<AppClient, Error> {
    let app = load(svc, client_id).await;
    match app {
        Ok(app) if app.pool_id == pool_id => Ok(app),
        Ok(_) | Err(_) => {
            // Distinguish a missing pool from a client of another pool, as Cognito does.
            crate::shared::stored::load_pool(svc, pool_id).await?;
            let app = app?;
            Err(Error::new(
                ErrorCode::ResourceNotFoundException,
                format!(
                    "User pool client {} does not exist.",
                    app.client.client_id.unwrap_or_default()
                ),
            ))
        }
    }
}

/// Whether `client` allows `flow`: its ExplicitAuthFlows, or Cognito's default (refresh, SRP,
/// custom) when it states none. Legacy names count as their ALLOW_ forms.
pub(crate) fn client_allows(client: &UserPoolClientType, flow: Flow) -> bool {
    let Some(flows) = &client.explicit_auth_flows else {
        return matches!(flow, Flow::UserSrp | Flow::RefreshToken | Flow::Custom);
    };
    let has = |names: &[ExplicitAuthFlowsType]| flows.iter().any(|f| names.contains(f));
    use ExplicitAuthFlowsType as F;
    match flow {
        // A client of legacy flows may still refresh and use SRP, as Cognito's did.
        Flow::UserSrp => has(&[F::AllowUserSrpAuth]) || legacy_only(flows),
        Flow::UserPassword => has(&[F::AllowUserPasswordAuth, F::UserPasswordAuth]),
        Flow::AdminUserPassword => has(&[F::AllowAdminUserPasswordAuth, F::AdminNoSrpAuth]),
        Flow::RefreshToken => has(&[F::AllowRefreshTokenAuth]) || legacy_only(flows),
        Flow::Custom => has(&[F::AllowCustomAuth, F::CustomAuthFlowOnly]),
    }
}

/// The auth flows an app client may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    UserSrp,
    UserPassword,
    AdminUserPassword,
    RefreshToken,
    Custom,
}

impl AppClient {
    pub(crate) fn client_id(&self) -> &str {
        self.client.client_id.as_deref().unwrap_or_default()
    }

    pub(crate) fn has_secret(&self) -> bool {
        !self.secrets.is_empty()
    }

    /// Whether the client allows `flow`: its ExplicitAuthFlows, or Cognito's default
    /// (refresh, SRP, custom) when it states none. Legacy names count as their ALLOW_ forms.
    pub(crate) fn allows(&self, flow: Flow) -> bool {
        client_allows(&self.client, flow)
    }

    /// Fails with Cognito's error when the client does not allow `flow`.
    pub(crate) fn require(&self, flow: Flow, name: &str) -> Result<(), Error> {
        if self.allows(flow) {
            Ok(())
        } else {
            Err(errors::invalid_parameter(format!(
                "{name} flow not enabled for this client"
            )))
        }
    }

    /// Checks the SECRET_HASH of a call for `username` (the name the call was made with).
    pub(crate) fn check_secret_hash(
        &self,
        username: &str,
        given: Option<&str>,
    ) -> Result<(), Error> {
        if !self.has_secret() {
            return Ok(());
        }
        let client_id = self.client_id();
        let Some(given) = given else {
            return Err(Error::new(
                ErrorCode::NotAuthorizedException,
                format!("Client {client_id} is configured for secret but secret was not received"),
            ));
        };
        let ok = self
            .secrets
            .iter()
            .any(|secret| cognitod_crypto::verify_secret_hash(client_id, secret, username, given));
        if ok {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::NotAuthorizedException,
                format!("Unable to verify secret hash for client {client_id}"),
            ))
        }
    }

    /// Checks a client secret given as such (GetTokensFromRefreshToken, RevokeToken).
    pub(crate) fn check_client_secret(&self, given: Option<&str>) -> Result<(), Error> {
        if !self.has_secret() {
            return Ok(());
        }
        let client_id = self.client_id();
        let ok = given.is_some_and(|given| {
            self.secrets
                .iter()
                .any(|s| cognitod_crypto::constant_time_eq(s.as_bytes(), given.as_bytes()))
        });
        if ok {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::NotAuthorizedException,
                format!(
                    "Client {client_id} is configured with secret but secret was not received or is invalid"
                ),
            ))
        }
    }

    /// PreventUserExistenceErrors = ENABLED.
    pub(crate) fn hides_users(&self) -> bool {
        self.client.prevent_user_existence_errors == Some(PreventUserExistenceErrorTypes::Enabled)
    }

    /// The pool-id suffix SRP uses as the pool name.
    pub(crate) fn srp_pool_name(&self) -> &str {
        crate::shared::identity::srp_pool_name(&self.pool_id)
    }

    pub(crate) fn access_token_seconds(&self) -> i64 {
        let units = self.client.token_validity_units.clone().unwrap_or_default();
        seconds(
            self.client.access_token_validity.unwrap_or(60 * 60),
            units.access_token.unwrap_or(TimeUnitsType::Hours),
            self.client.access_token_validity.is_none(),
        )
    }

    pub(crate) fn id_token_seconds(&self) -> i64 {
        let units = self.client.token_validity_units.clone().unwrap_or_default();
        seconds(
            self.client.id_token_validity.unwrap_or(60 * 60),
            units.id_token.unwrap_or(TimeUnitsType::Hours),
            self.client.id_token_validity.is_none(),
        )
    }

    pub(crate) fn refresh_token_seconds(&self) -> i64 {
        let units = self.client.token_validity_units.clone().unwrap_or_default();
        match self.client.refresh_token_validity {
            None | Some(0) => 30 * 86_400,
            Some(v) => seconds(v, units.refresh_token.unwrap_or(TimeUnitsType::Days), false),
        }
    }

    /// How long a challenge session lives (AuthSessionValidity, minutes).
    pub(crate) fn session_millis(&self) -> i64 {
        i64::from(self.client.auth_session_validity.unwrap_or(3)) * 60_000
    }

    pub(crate) fn revocation_enabled(&self) -> bool {
        self.client.enable_token_revocation.unwrap_or(true)
    }

    /// With rotation on, refresh tokens are single-use (after a grace period in seconds).
    pub(crate) fn rotation_grace_seconds(&self) -> Option<i64> {
        let rotation = self.client.refresh_token_rotation.as_ref()?;
        (rotation.feature == FeatureType::Enabled)
            .then(|| i64::from(rotation.retry_grace_period_seconds.unwrap_or(0)))
    }
}

/// Whether every flow named is a legacy (non-ALLOW_) one.
fn legacy_only(flows: &[ExplicitAuthFlowsType]) -> bool {
    use ExplicitAuthFlowsType as F;
    !flows.is_empty()
        && flows.iter().all(|f| {
            matches!(
                f,
                F::AdminNoSrpAuth | F::CustomAuthFlowOnly | F::UserPasswordAuth
            )
        })
}

/// A validity in seconds; `default_value` means the value is the default in seconds already.
fn seconds(value: i32, unit: TimeUnitsType, default_value: bool) -> i64 {
    let value = i64::from(value);
    if default_value {
        return value;
    }
    match unit {
        TimeUnitsType::Seconds => value,
        TimeUnitsType::Minutes => value * 60,
        TimeUnitsType::Hours => value * 3_600,
        TimeUnitsType::Days => value * 86_400,
    }
}
