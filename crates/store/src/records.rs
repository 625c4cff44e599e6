//! The records the store keeps.

/// A user pool; `config` is the domain's JSON (the pool's full configuration).
#[derive(Debug, Clone, PartialEq)]
pub struct PoolRecord {
    pub id: String,
    pub name: String,
    pub config: serde_json::Value,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClientRecord {
    pub pool_id: String,
    pub client_id: String,
    pub name: String,
    pub config: serde_json::Value,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One secret of an app client, sealed with the master key.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSecretRecord {
    pub pool_id: String,
    pub client_id: String,
    pub secret_id: String,
    pub sealed_secret: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub pool_id: String,
    /// The username as shown.
    pub username: String,
    /// The normalised username, unique per pool.
    pub username_key: String,
    /// Unique per pool.
    pub sub: String,
    pub status: String,
    pub enabled: bool,
    /// (name, value), in order.
    pub attributes: Vec<(String, String)>,
    pub password_hash: Option<String>,
    /// Domain-owned credential state (temporary-password clock, codes' digests, ...).
    pub credentials: serde_json::Value,
    pub created_at: i64,
    pub updated_at: i64,
    /// Bumped by every update. `update_user` succeeds only while the row still has this
    /// version (else `StoreError::Stale`); a created user starts at 0.
    pub version: i64,
}

/// A sign-in alias of a user, unique per (pool, kind, key).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AliasKey {
    /// `email`, `phone_number` or `preferred_username`.
    pub kind: String,
    /// The normalised value.
    pub key: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupRecord {
    pub pool_id: String,
    pub name: String,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub precedence: Option<i32>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A message the server sent (or would have sent).
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMessage {
    /// Assigned by the store.
    pub id: i64,
    pub pool_id: String,
    pub username: String,
    /// `EMAIL` or `SMS`.
    pub medium: String,
    pub destination: String,
    pub kind: String,
    pub subject: Option<String>,
    pub body: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AccessKeyRecord {
    pub access_key_id: String,
    pub sealed_secret: String,
    pub allowed_actions: Vec<String>,
    pub pool_ids: Vec<String>,
    pub description: Option<String>,
    pub created_at: i64,
}

/// What ListUsers may filter on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchField {
    /// The normalised username.
    Username,
    Sub,
    /// The user status (`CONFIRMED`, ...).
    Status,
    /// `Enabled` or `Disabled`.
    Enabled,
    /// A searchable attribute (email, phone_number, name, given_name, family_name,
    /// preferred_username).
    Attribute(String),
}

impl SearchField {
    /// The name under which the field is indexed.
    pub fn index_name(&self) -> &str {
        match self {
            SearchField::Username => "username",
            SearchField::Sub => "sub",
            SearchField::Status => "cognito:user_status",
            SearchField::Enabled => "status",
            SearchField::Attribute(name) => name,
        }
    }
}

/// The attributes kept in the search index besides the fixed fields.
pub const SEARCHABLE_ATTRIBUTES: &[&str] = &[
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterOp {
    Equals,
    Prefix,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFilter {
    pub field: SearchField,
    pub op: FilterOp,
    pub value: String,
    pub case_insensitive: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserQuery {
    pub filter: Option<UserFilter>,
    pub limit: u32,
    /// Opaque token from a previous page.
    pub after: Option<String>,
}

impl UserRecord {
    /// The (name, value) pairs the search index holds for this user.
    pub fn search_entries(&self) -> Vec<(String, String)> {
        let mut entries = vec![
            ("username".to_string(), self.username_key.clone()),
            ("sub".to_string(), self.sub.clone()),
            ("cognito:user_status".to_string(), self.status.clone()),
            (
                "status".to_string(),
                if self.enabled { "Enabled" } else { "Disabled" }.to_string(),
            ),
        ];
        for (name, value) in &self.attributes {
            if SEARCHABLE_ATTRIBUTES.contains(&name.as_str()) {
                entries.push((name.clone(), value.clone()));
            }
        }
        entries
    }
}
