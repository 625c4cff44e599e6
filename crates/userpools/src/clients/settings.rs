//! An app client's settings as CreateUserPoolClient and UpdateUserPoolClient set them: the
//! request's members with Cognito's defaults, then Cognito's checks.
//!
//! Both requests name their settings exactly as `UserPoolClientType` does, so a request is
//! copied member by member in JSON. An update replaces every setting: what it leaves out goes
//! back to its default. Settings Cognito only reports when given (ExplicitAuthFlows,
//! PreventUserExistenceErrors, Read/WriteAttributes) stay absent; absent ExplicitAuthFlows
//! means ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH and ALLOW_CUSTOM_AUTH, absent
//! PreventUserExistenceErrors means LEGACY.

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode};

use crate::shared::errors::{self, invalid_parameter};
use crate::shared::stored::to_json;

/// The `UserPoolClientType` members a create or update request sets.
const SETTABLE: &[&str] = &[
    "RefreshTokenValidity",
    "AccessTokenValidity",
    "IdTokenValidity",
    "TokenValidityUnits",
    "ReadAttributes",
    "WriteAttributes",
    "ExplicitAuthFlows",
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "AnalyticsConfiguration",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
    "EnablePropagateAdditionalUserContextData",
    "AuthSessionValidity",
    "RefreshTokenRotation",
];

const STANDARD_SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// What the checks need to know beyond the settings themselves.
pub(crate) struct ClientContext<'a> {
    pub pool_id: &'a str,
    pub pool: &'a UserPoolType,
    pub has_secret: bool,
    /// `creating` or `updating`, as Cognito's messages say.
    pub action: &'a str,
}

/// `base` (identity and dates) with the settings of `request`, defaults filled, checked.
pub(crate) fn settle<R: serde::Serialize>(
    base: UserPoolClientType,
    request: &R,
    ctx: &ClientContext<'_>,
) -> Result<UserPoolClientType, Error> {
    let mut target = to_json(&base)?;
    let source = to_json(request)?;
    let object = target
        .as_object_mut()
        .ok_or_else(|| errors::internal("a client configuration is not an object"))?;
    for key in SETTABLE {
        match source.get(*key) {
            Some(value) => object.insert((*key).to_string(), value.clone()),
            None => object.remove(*key),
        };
    }
    let mut client: UserPoolClientType =
        serde_json::from_value(target).map_err(errors::internal)?;
    fill_defaults(&mut client);
    check(&client, ctx)?;
    Ok(client)
}

fn fill_defaults(client: &mut UserPoolClientType) {
    // Cognito reads a refresh token validity of 0 as its default.
    if client.refresh_token_validity.unwrap_or(0) == 0 {
        client.refresh_token_validity = Some(30);
    }
    client
        .token_validity_units
        .get_or_insert_with(Default::default);
    client.auth_session_validity.get_or_insert(3);
    client.enable_token_revocation.get_or_insert(true);
    client
        .enable_propagate_additional_user_context_data
        .get_or_insert(false);
    client
        .allowed_o_auth_flows_user_pool_client
        .get_or_insert(false);
}

fn seconds(value: i32, unit: TimeUnitsType) -> i64 {
    let value = i64::from(value);
    match unit {
        TimeUnitsType::Seconds => value,
        TimeUnitsType::Minutes => value * 60,
        TimeUnitsType::Hours => value * 3_600,
        TimeUnitsType::Days => value * 86_400,
    }
}

/// Access and ID tokens live 5 minutes to 1 day, refresh tokens 1 hour to 10 years.
fn check_validity(client: &UserPoolClientType) -> Result<(), Error> {
    let units = client.token_validity_units.clone().unwrap_or_default();
    let checks = [
        (
            client.access_token_validity,
            units.access_token.unwrap_or(TimeUnitsType::Hours),
            300,
            86_400,
        ),
        (
            client.id_token_validity,
            units.id_token.unwrap_or(TimeUnitsType::Hours),
            300,
            86_400,
        ),
        (
            client.refresh_token_validity,
            units.refresh_token.unwrap_or(TimeUnitsType::Days),
            3_600,
            315_360_000,
        ),
    ];
    for (value, unit, min, max) in checks {
        if let Some(value) = value
            && !(min..=max).contains(&seconds(value, unit))
        {
            return Err(invalid_parameter("Invalid range for token validity."));
        }
    }
    Ok(())
}

fn check_auth_flows(flows: &[ExplicitAuthFlowsType], pool: &UserPoolType) -> Result<(), Error> {
    let legacy = flows.iter().any(|f| !f.as_str().starts_with("ALLOW_"));
    let modern = flows.iter().any(|f| f.as_str().starts_with("ALLOW_"));
    if legacy && modern {
        return Err(invalid_parameter(
            "ExplicitAuthFlows cannot mix the legacy values ADMIN_NO_SRP_AUTH, \
             CUSTOM_AUTH_FLOW_ONLY and USER_PASSWORD_AUTH with ALLOW_ prefixed values.",
        ));
    }
    if flows.contains(&ExplicitAuthFlowsType::AllowUserAuth)
        && pool.user_pool_tier == Some(UserPoolTierType::Lite)
    {
        return Err(Error::new(
            ErrorCode::FeatureUnavailableInTierException,
            "ALLOW_USER_AUTH requires the ESSENTIALS or PLUS feature plan.",
        ));
    }
    Ok(())
}

/// Redirect URIs: absolute, no fragment, https except on loopback, or an app scheme.
fn valid_redirect(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    if rest.is_empty() || url.contains('#') {
        return false;
    }
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    match scheme {
        "https" => !host.is_empty(),
        "http" => matches!(host, "localhost" | "127.0.0.1" | "::1"),
        _ => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        }
    }
}

fn oauth_flow_error(message: &str) -> Error {
    Error::new(ErrorCode::InvalidOAuthFlowException, message)
}

fn check_oauth(client: &UserPoolClientType, ctx: &ClientContext<'_>) -> Result<(), Error> {
    let flows = client.allowed_o_auth_flows.clone().unwrap_or_default();
    let credentials = flows.contains(&OAuthFlowType::ClientCredentials);
    if credentials && flows.len() > 1 {
        return Err(oauth_flow_error(
            "client_credentials flow can not be selected along with code flow or implicit flow.",
        ));
    }
    if credentials && !ctx.has_secret {
        return Err(oauth_flow_error(
            "client_credentials flow can not be selected if client does not have a client secret.",
        ));
    }
    let callbacks = client.callback_ur_ls.clone().unwrap_or_default();
    if !credentials && !flows.is_empty() && callbacks.is_empty() {
        return Err(oauth_flow_error(
            "CallbackUrls can not be empty when code flow or implicit flow is selected",
        ));
    }
    if client.allowed_o_auth_flows_user_pool_client == Some(true) {
        if flows.is_empty() {
            return Err(oauth_flow_error(
                "AllowedOAuthFlows must be specified when AllowedOAuthFlowsUserPoolClient is true.",
            ));
        }
        if client
            .allowed_o_auth_scopes
            .as_ref()
            .is_none_or(|s| s.is_empty())
        {
            return Err(invalid_parameter(
                "AllowedOAuthScopes must be specified when AllowedOAuthFlowsUserPoolClient is true.",
            ));
        }
    }
    let logouts = client.logout_ur_ls.iter().flatten();
    if let Some(url) = callbacks.iter().chain(logouts).find(|u| !valid_redirect(u)) {
        return Err(invalid_parameter(format!(
            "{url} is not a valid redirect URI: use https (http only for localhost, 127.0.0.1 \
             or [::1]) or an app scheme, without a fragment."
        )));
    }
    if let Some(default) = &client.default_redirect_uri
        && !callbacks.contains(default)
    {
        return Err(invalid_parameter(
            "DefaultRedirectURI must be one of the CallbackURLs.",
        ));
    }
    // No resource servers exist, so only the standard scopes do.
    if let Some(scope) = client
        .allowed_o_auth_scopes
        .iter()
        .flatten()
        .find(|s| !STANDARD_SCOPES.contains(&s.as_str()))
    {
        return Err(Error::new(
            ErrorCode::ScopeDoesNotExistException,
            format!("Invalid scope requested: {scope}"),
        ));
    }
    Ok(())
}

/// Read and write permissions name attributes of the pool; only mutable ones are writable.
fn check_permissions(client: &UserPoolClientType, ctx: &ClientContext<'_>) -> Result<(), Error> {
    let schema = ctx.pool.schema_attributes.as_deref().unwrap_or_default();
    let attribute = |name: &str| schema.iter().find(|a| a.name.as_deref() == Some(name));
    let readable = client
        .read_attributes
        .iter()
        .flatten()
        .all(|n| attribute(n).is_some());
    if !readable {
        return Err(invalid_parameter(format!(
            "Invalid read attributes specified while {} a client",
            ctx.action
        )));
    }
    let writable = client
        .write_attributes
        .iter()
        .flatten()
        .all(|n| attribute(n).is_some_and(|a| a.mutable != Some(false)));
    if !writable {
        return Err(invalid_parameter(format!(
            "Invalid write attributes specified while {} a client",
            ctx.action
        )));
    }
    Ok(())
}

fn check(client: &UserPoolClientType, ctx: &ClientContext<'_>) -> Result<(), Error> {
    check_validity(client)?;
    check_auth_flows(
        client.explicit_auth_flows.as_deref().unwrap_or_default(),
        ctx.pool,
    )?;
    check_permissions(client, ctx)?;
    if let Some(provider) = client
        .supported_identity_providers
        .iter()
        .flatten()
        .find(|p| p.as_str() != "COGNITO")
    {
        return Err(invalid_parameter(format!(
            "The provider {provider} does not exist for User Pool {}",
            ctx.pool_id
        )));
    }
    check_oauth(client, ctx)?;
    if client.enable_propagate_additional_user_context_data == Some(true) && !ctx.has_secret {
        return Err(invalid_parameter(
            "EnablePropagateAdditionalUserContextData can only be activated in an app client \
             that has a client secret.",
        ));
    }
    if client
        .refresh_token_rotation
        .as_ref()
        .is_some_and(|r| r.feature == FeatureType::Enabled)
        && ctx.pool.user_pool_tier == Some(UserPoolTierType::Lite)
    {
        return Err(Error::new(
            ErrorCode::FeatureUnavailableInTierException,
            "Refresh token rotation requires the ESSENTIALS or PLUS feature plan.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::schema;

    fn pool() -> UserPoolType {
        UserPoolType {
            schema_attributes: Some(schema::build(&[]).unwrap()),
            user_pool_tier: Some(UserPoolTierType::Essentials),
            ..Default::default()
        }
    }

    fn settle_with(
        request: CreateUserPoolClientRequest,
        pool: &UserPoolType,
        has_secret: bool,
    ) -> Result<UserPoolClientType, Error> {
        let ctx = ClientContext {
            pool_id: "us-east-1_pool",
            pool,
            has_secret,
            action: "creating",
        };
        settle(UserPoolClientType::default(), &request, &ctx)
    }

    fn request() -> CreateUserPoolClientRequest {
        CreateUserPoolClientRequest {
            user_pool_id: "us-east-1_pool".into(),
            client_name: "app".into(),
            ..Default::default()
        }
    }

    fn error(request: CreateUserPoolClientRequest) -> Error {
        settle_with(request, &pool(), false).unwrap_err()
    }

    #[test]
    fn defaults() {
        let client = settle_with(request(), &pool(), false).unwrap();
        assert_eq!(client.refresh_token_validity, Some(30));
        assert_eq!(client.access_token_validity, None);
        assert_eq!(client.id_token_validity, None);
        assert_eq!(
            client.token_validity_units,
            Some(TokenValidityUnitsType::default())
        );
        assert_eq!(client.auth_session_validity, Some(3));
        assert_eq!(client.enable_token_revocation, Some(true));
        assert_eq!(
            client.enable_propagate_additional_user_context_data,
            Some(false)
        );
        assert_eq!(client.allowed_o_auth_flows_user_pool_client, Some(false));
        assert_eq!(client.explicit_auth_flows, None);
        assert_eq!(client.prevent_user_existence_errors, None);
        let zero = CreateUserPoolClientRequest {
            refresh_token_validity: Some(0),
            ..request()
        };
        assert_eq!(
            settle_with(zero, &pool(), false)
                .unwrap()
                .refresh_token_validity,
            Some(30)
        );
    }

    #[test]
    fn token_validity_ranges_follow_units() {
        let with = |access: i32, unit: TimeUnitsType| CreateUserPoolClientRequest {
            access_token_validity: Some(access),
            token_validity_units: Some(TokenValidityUnitsType {
                access_token: Some(unit),
                ..Default::default()
            }),
            ..request()
        };
        settle_with(with(5, TimeUnitsType::Minutes), &pool(), false).unwrap();
        settle_with(with(1, TimeUnitsType::Days), &pool(), false).unwrap();
        for (value, unit) in [
            (4, TimeUnitsType::Minutes),
            (25, TimeUnitsType::Hours),
            (299, TimeUnitsType::Seconds),
        ] {
            let err = error(with(value, unit));
            assert_eq!(err.code, ErrorCode::InvalidParameterException);
            assert_eq!(err.message, "Invalid range for token validity.");
        }
        // Default units: hours for ID tokens, days for refresh tokens.
        let id = CreateUserPoolClientRequest {
            id_token_validity: Some(25),
            ..request()
        };
        assert_eq!(error(id).message, "Invalid range for token validity.");
        let refresh = CreateUserPoolClientRequest {
            refresh_token_validity: Some(3651),
            ..request()
        };
        assert_eq!(error(refresh).message, "Invalid range for token validity.");
        let refresh_minutes = CreateUserPoolClientRequest {
            refresh_token_validity: Some(59),
            token_validity_units: Some(TokenValidityUnitsType {
                refresh_token: Some(TimeUnitsType::Minutes),
                ..Default::default()
            }),
            ..request()
        };
        assert_eq!(
            error(refresh_minutes).message,
            "Invalid range for token validity."
        );
    }

    #[test]
    fn auth_flows_cannot_mix_legacy_and_allow_values() {
        let mixed = CreateUserPoolClientRequest {
            explicit_auth_flows: Some(vec![
                ExplicitAuthFlowsType::UserPasswordAuth,
                ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ]),
            ..request()
        };
        let err = error(mixed);
        assert_eq!(err.code, ErrorCode::InvalidParameterException);
        assert!(err.message.starts_with("ExplicitAuthFlows cannot mix"));
        let user_auth = CreateUserPoolClientRequest {
            explicit_auth_flows: Some(vec![ExplicitAuthFlowsType::AllowUserAuth]),
            ..request()
        };
        let lite = UserPoolType {
            user_pool_tier: Some(UserPoolTierType::Lite),
            ..pool()
        };
        assert_eq!(
            settle_with(user_auth.clone(), &lite, false)
                .unwrap_err()
                .code,
            ErrorCode::FeatureUnavailableInTierException
        );
        settle_with(user_auth, &pool(), false).unwrap();
    }

    fn oauth(flows: Vec<OAuthFlowType>, callbacks: &[&str]) -> CreateUserPoolClientRequest {
        CreateUserPoolClientRequest {
            allowed_o_auth_flows_user_pool_client: Some(true),
            allowed_o_auth_flows: Some(flows),
            allowed_o_auth_scopes: Some(vec!["openid".into(), "email".into()]),
            callback_ur_ls: Some(callbacks.iter().map(|s| s.to_string()).collect()),
            supported_identity_providers: Some(vec!["COGNITO".into()]),
            ..request()
        }
    }

    #[test]
    fn oauth_settings() {
        let ok = oauth(
            vec![OAuthFlowType::Code, OAuthFlowType::Implicit],
            &[
                "https://example.com/cb",
                "http://localhost:3000/cb",
                "http://127.0.0.1/cb",
                "http://[::1]:8080/cb",
                "myapp://callback",
            ],
        );
        let client = settle_with(ok, &pool(), false).unwrap();
        assert_eq!(client.allowed_o_auth_flows_user_pool_client, Some(true));

        let err = error(oauth(vec![OAuthFlowType::Code], &[]));
        assert_eq!(err.code, ErrorCode::InvalidOAuthFlowException);
        assert_eq!(
            err.message,
            "CallbackUrls can not be empty when code flow or implicit flow is selected"
        );
        let err = error(oauth(
            vec![OAuthFlowType::ClientCredentials, OAuthFlowType::Code],
            &["https://example.com"],
        ));
        assert_eq!(err.code, ErrorCode::InvalidOAuthFlowException);
        assert_eq!(
            err.message,
            "client_credentials flow can not be selected along with code flow or implicit flow."
        );
        let err = error(oauth(vec![OAuthFlowType::ClientCredentials], &[]));
        assert_eq!(err.code, ErrorCode::InvalidOAuthFlowException);
        for bad in [
            "http://example.com/cb",
            "https://example.com/cb#frag",
            "example.com/cb",
        ] {
            let err = error(oauth(vec![OAuthFlowType::Code], &[bad]));
            assert_eq!(err.code, ErrorCode::InvalidParameterException, "{bad}");
            assert!(err.message.starts_with(bad), "{}", err.message);
        }
        let mut custom_scope = oauth(vec![OAuthFlowType::Code], &["https://example.com"]);
        custom_scope.allowed_o_auth_scopes = Some(vec!["api/read".into()]);
        let err = error(custom_scope);
        assert_eq!(err.code, ErrorCode::ScopeDoesNotExistException);
        assert_eq!(err.message, "Invalid scope requested: api/read");
        let mut default_redirect = oauth(vec![OAuthFlowType::Code], &["https://a.example"]);
        default_redirect.default_redirect_uri = Some("https://b.example".into());
        assert_eq!(
            error(default_redirect).message,
            "DefaultRedirectURI must be one of the CallbackURLs."
        );
        let mut provider = oauth(vec![OAuthFlowType::Code], &["https://a.example"]);
        provider.supported_identity_providers = Some(vec!["Google".into()]);
        assert_eq!(
            error(provider).message,
            "The provider Google does not exist for User Pool us-east-1_pool"
        );
    }

    #[test]
    fn permissions_name_pool_attributes() {
        let read = CreateUserPoolClientRequest {
            read_attributes: Some(vec!["email".into(), "nonexistent".into()]),
            ..request()
        };
        assert_eq!(
            error(read).message,
            "Invalid read attributes specified while creating a client"
        );
        let write = CreateUserPoolClientRequest {
            write_attributes: Some(vec!["sub".into()]),
            ..request()
        };
        assert_eq!(
            error(write).message,
            "Invalid write attributes specified while creating a client"
        );
        let fine = CreateUserPoolClientRequest {
            read_attributes: Some(vec!["email".into(), "email_verified".into()]),
            write_attributes: Some(vec!["email".into(), "name".into()]),
            ..request()
        };
        let client = settle_with(fine, &pool(), false).unwrap();
        assert_eq!(
            client.write_attributes,
            Some(vec!["email".to_string(), "name".to_string()])
        );
    }

    #[test]
    fn context_data_needs_a_secret() {
        let given = CreateUserPoolClientRequest {
            enable_propagate_additional_user_context_data: Some(true),
            ..request()
        };
        assert_eq!(
            error(given.clone()).code,
            ErrorCode::InvalidParameterException
        );
        settle_with(given, &pool(), true).unwrap();
    }
}
