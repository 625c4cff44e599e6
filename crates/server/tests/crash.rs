//! Crash safety of a real `cognitod serve`: writers issue mixed writes concurrently while the
//! process is killed with SIGKILL at a random moment, again and again, on the same store.
//! After every restart each acknowledged write must be there, and a write in flight at the
//! kill must be wholly there or wholly absent.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider as idp;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use idp::types::MessageActionType;
use support::postgres::{Database, admin_url_or_skip};
use support::{Node, PASSWORD, StoreConfig, attr, password_sign_in};

/// SIGKILLs per store.
const KILLS: usize = 25;
/// Concurrent writers; each owns its users, so its writes to them are ordered.
const WRITERS: usize = 5;
const GROUPS: [&str; 3] = ["staff", "admins", "readers"];
/// The attributes the writers set; others (sub) are the server's.
const TRACKED: [&str; 2] = ["given_name", "family_name"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = StoreConfig::sqlite(dir.path().join("data"));
    kill_and_check(&store, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_on_postgres() {
    let Some(admin_url) = admin_url_or_skip("the crash test on PostgreSQL") else {
        return;
    };
    let database = Database::create(&admin_url, "crash").await;
    let dir = tempfile::tempdir().unwrap();
    let store = StoreConfig::postgres(dir.path().join("data"), &database.url);
    kill_and_check(&store, Some(&database)).await;
    database.drop().await;
}

/// What the server must show of one user: its status, the tracked attributes and its groups.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct UserState {
    status: String,
    attributes: BTreeMap<String, String>,
    groups: BTreeSet<String>,
}

/// One write of the load, with what it does to its user.
#[derive(Clone, Debug)]
enum Write {
    SignUp {
        username: String,
        given_name: String,
    },
    Confirm {
        username: String,
    },
    CreateUser {
        username: String,
        given_name: String,
    },
    SetPermanentPassword {
        username: String,
    },
    /// Sets given_name and family_name together: they must never be seen half-updated.
    UpdateNames {
        username: String,
        value: String,
    },
    AddToGroup {
        username: String,
        group: String,
    },
    RemoveFromGroup {
        username: String,
        group: String,
    },
}

impl Write {
    fn username(&self) -> &str {
        match self {
            Write::SignUp { username, .. }
            | Write::Confirm { username }
            | Write::CreateUser { username, .. }
            | Write::SetPermanentPassword { username }
            | Write::UpdateNames { username, .. }
            | Write::AddToGroup { username, .. }
            | Write::RemoveFromGroup { username, .. } => username,
        }
    }

    /// The user's state once this write is applied to `before`.
    fn apply(&self, before: Option<&UserState>) -> UserState {
        let mut state = before.cloned().unwrap_or_default();
        match self {
            Write::SignUp { given_name, .. } => {
                state.status = "UNCONFIRMED".into();
                state.attributes = BTreeMap::from([("given_name".into(), given_name.clone())]);
            }
            Write::CreateUser { given_name, .. } => {
                state.status = "FORCE_CHANGE_PASSWORD".into();
                state.attributes = BTreeMap::from([("given_name".into(), given_name.clone())]);
            }
            Write::Confirm { .. } | Write::SetPermanentPassword { .. } => {
                state.status = "CONFIRMED".into();
            }
            Write::UpdateNames { value, .. } => {
                for name in TRACKED {
                    state.attributes.insert(name.into(), value.clone());
                }
            }
            Write::AddToGroup { group, .. } => {
                state.groups.insert(group.clone());
            }
            Write::RemoveFromGroup { group, .. } => {
                state.groups.remove(group);
            }
        }
        state
    }
}

/// Every acknowledged write's effect, and the writes sent but not acknowledged.
#[derive(Default)]
struct Ledger {
    users: BTreeMap<String, UserState>,
    in_flight: BTreeMap<String, Write>,
    /// What happened to each user, for failure messages.
    history: BTreeMap<String, Vec<String>>,
    /// Users created by SignUp (they must sign in once confirmed).
    signed_up: BTreeSet<String>,
    /// Users whose creation the server acknowledged, or that a creation in flight left.
    created: usize,
    acknowledged: usize,
    unacknowledged: usize,
}

impl Ledger {
    fn begin(&mut self, write: &Write, round: usize) {
        self.in_flight
            .insert(write.username().to_string(), write.clone());
        self.note(write.username(), format!("round {round}: sent {write:?}"));
    }

    fn note(&mut self, username: &str, event: String) {
        self.history
            .entry(username.to_string())
            .or_default()
            .push(event);
    }

    fn acknowledge(&mut self, write: &Write) {
        let username = write.username();
        self.in_flight.remove(username);
        let after = write.apply(self.users.get(username));
        self.users.insert(username.to_string(), after);
        match write {
            Write::SignUp { .. } => {
                self.signed_up.insert(username.to_string());
                self.created += 1;
            }
            Write::CreateUser { .. } => self.created += 1,
            _ => {}
        }
        self.acknowledged += 1;
        self.note(username, "acknowledged".into());
    }

    /// Checks what the restarted server shows against the ledger and adopts it: each user is
    /// as acknowledged, or (only when a write to it was in flight) as that write left it.
    fn reconcile(&mut self, observed: &BTreeMap<String, UserState>) -> Result<(), String> {
        let mut names: BTreeSet<&String> = self.users.keys().collect();
        names.extend(self.in_flight.keys());
        names.extend(observed.keys());
        let mut problems = Vec::new();
        for name in names {
            let acknowledged = self.users.get(name);
            let seen = observed.get(name);
            if seen == acknowledged {
                continue;
            }
            let in_flight = self.in_flight.get(name);
            let applied = in_flight.map(|write| write.apply(acknowledged));
            if applied.is_some() && seen == applied.as_ref() {
                continue;
            }
            problems.push(format!(
                "{name}: acknowledged {acknowledged:?}, in flight {in_flight:?}, but the server \
                 has {seen:?}; its history:\n  {}",
                self.history
                    .get(name)
                    .map_or(String::new(), |h| h.join("\n  "))
            ));
        }
        if !problems.is_empty() {
            return Err(problems.join("\n"));
        }
        for write in std::mem::take(&mut self.in_flight).into_values() {
            let name = write.username();
            if observed.get(name) == self.users.get(name) {
                continue;
            }
            self.unacknowledged += 1;
            match write {
                Write::SignUp { .. } => {
                    self.signed_up.insert(name.to_string());
                    self.created += 1;
                }
                Write::CreateUser { .. } => self.created += 1,
                _ => {}
            }
        }
        for (name, state) in observed {
            if self.users.get(name) != Some(state) {
                self.note(name, format!("seen after restart as {state:?}"));
            }
        }
        self.users = observed.clone();
        Ok(())
    }

    /// The next write of `writer`, chosen from what is acknowledged of its own users.
    fn next_write(&self, writer: usize, round: usize, serial: usize) -> Write {
        let prefix = format!("w{writer}-");
        let own: Vec<(&String, &UserState)> = self
            .users
            .iter()
            .filter(|(name, _)| name.starts_with(&prefix))
            .collect();
        let dice = rand::random_range(0..100);
        if own.is_empty() || dice < 25 {
            let username = format!("w{writer}-r{round}-{serial}");
            let given_name = format!("g{round}x{serial}");
            return if dice % 2 == 0 {
                Write::SignUp {
                    username,
                    given_name,
                }
            } else {
                Write::CreateUser {
                    username,
                    given_name,
                }
            };
        }
        let (name, state) = own[rand::random_range(0..own.len())];
        let username = name.clone();
        match state.status.as_str() {
            "UNCONFIRMED" if dice < 60 => return Write::Confirm { username },
            "FORCE_CHANGE_PASSWORD" if dice < 60 => {
                return Write::SetPermanentPassword { username };
            }
            _ => {}
        }
        if dice < 70 {
            let value = format!("n{round}x{serial}");
            return Write::UpdateNames { username, value };
        }
        let group = GROUPS[rand::random_range(0..GROUPS.len())].to_string();
        if state.groups.contains(&group) {
            Write::RemoveFromGroup { username, group }
        } else {
            Write::AddToGroup { username, group }
        }
    }
}

/// The pool the load writes to.
struct Target {
    pool: String,
    client: String,
}

/// How the server answered one write.
enum Outcome {
    Acknowledged,
    /// No answer (the server is gone): the write may or may not have happened.
    Unanswered,
    /// An error answer: never expected from this load.
    Refused(String),
}

fn outcome<T, E, R>(result: Result<T, SdkError<E, R>>) -> Outcome
where
    E: idp::error::ProvideErrorMetadata,
{
    match result {
        Ok(_) => Outcome::Acknowledged,
        Err(SdkError::ServiceError(err)) => {
            let (code, message) = support::error_of(err.err());
            Outcome::Refused(format!("{code}: {message}"))
        }
        Err(_) => Outcome::Unanswered,
    }
}

async fn send(idp: &idp::Client, target: &Target, write: &Write) -> Outcome {
    let pool = &target.pool;
    match write {
        Write::SignUp {
            username,
            given_name,
        } => outcome(
            idp.sign_up()
                .client_id(&target.client)
                .username(username)
                .password(PASSWORD)
                .user_attributes(attr("given_name", given_name))
                .send()
                .await,
        ),
        Write::Confirm { username } => outcome(
            idp.admin_confirm_sign_up()
                .user_pool_id(pool)
                .username(username)
                .send()
                .await,
        ),
        Write::CreateUser {
            username,
            given_name,
        } => outcome(
            idp.admin_create_user()
                .user_pool_id(pool)
                .username(username)
                .user_attributes(attr("given_name", given_name))
                .message_action(MessageActionType::Suppress)
                .send()
                .await,
        ),
        Write::SetPermanentPassword { username } => outcome(
            idp.admin_set_user_password()
                .user_pool_id(pool)
                .username(username)
                .password(PASSWORD)
                .permanent(true)
                .send()
                .await,
        ),
        Write::UpdateNames { username, value } => outcome(
            idp.admin_update_user_attributes()
                .user_pool_id(pool)
                .username(username)
                .user_attributes(attr("given_name", value))
                .user_attributes(attr("family_name", value))
                .send()
                .await,
        ),
        Write::AddToGroup { username, group } => outcome(
            idp.admin_add_user_to_group()
                .user_pool_id(pool)
                .username(username)
                .group_name(group)
                .send()
                .await,
        ),
        Write::RemoveFromGroup { username, group } => outcome(
            idp.admin_remove_user_from_group()
                .user_pool_id(pool)
                .username(username)
                .group_name(group)
                .send()
                .await,
        ),
    }
}

/// Writes until the server stops answering; an error answer is returned as a failure.
async fn writer(
    idp: idp::Client,
    target: Arc<Target>,
    ledger: Arc<Mutex<Ledger>>,
    writer: usize,
    round: usize,
) -> Result<(), String> {
    for serial in 0.. {
        let write = {
            let mut ledger = ledger.lock().unwrap();
            let write = ledger.next_write(writer, round, serial);
            ledger.begin(&write, round);
            write
        };
        match send(&idp, &target, &write).await {
            Outcome::Acknowledged => ledger.lock().unwrap().acknowledge(&write),
            Outcome::Unanswered => {
                let event = "no answer".to_string();
                ledger.lock().unwrap().note(write.username(), event);
                return Ok(());
            }
            Outcome::Refused(error) => return Err(format!("{write:?} was refused: {error}")),
        }
    }
    Ok(())
}

/// Every user as ListUsers (small pages) and ListUsersInGroup show them; a user on two pages
/// or a member ListUsers does not list is an error.
async fn observe(idp: &idp::Client, pool: &str) -> Result<BTreeMap<String, UserState>, String> {
    let mut users = BTreeMap::new();
    let mut token = None;
    loop {
        let page = idp
            .list_users()
            .user_pool_id(pool)
            .limit(7)
            .set_pagination_token(token)
            .send()
            .await
            .map_err(|e| format!("ListUsers: {e:?}"))?;
        for user in page.users() {
            let name = user.username().unwrap_or_default().to_string();
            let attributes = user
                .attributes()
                .iter()
                .filter(|a| TRACKED.contains(&a.name()))
                .map(|a| {
                    (
                        a.name().to_string(),
                        a.value().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            let state = UserState {
                status: user
                    .user_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                attributes,
                groups: BTreeSet::new(),
            };
            if users.insert(name.clone(), state).is_some() {
                return Err(format!("ListUsers returned {name} on two pages"));
            }
        }
        token = page.pagination_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    for group in GROUPS {
        let mut token = None;
        loop {
            let page = idp
                .list_users_in_group()
                .user_pool_id(pool)
                .group_name(group)
                .limit(7)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| format!("ListUsersInGroup {group}: {e:?}"))?;
            for user in page.users() {
                let name = user.username().unwrap_or_default();
                let state = users.get_mut(name).ok_or_else(|| {
                    format!("{name} is a member of {group} but ListUsers does not list it")
                })?;
                if !state.groups.insert(group.to_string()) {
                    return Err(format!("{name} is listed twice in {group}"));
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
    }
    Ok(users)
}

/// Sets up the pool, then kills and restarts the server `KILLS` times under load, checking
/// the store after every restart.
async fn kill_and_check(store: &StoreConfig, database: Option<&Database>) {
    let started = Instant::now();
    let mut node = Node::start(store, None).await;
    let idp = node.idp();
    let (pool, client) = support::pool_and_client(&idp, "crash", false).await;
    for group in GROUPS {
        idp.create_group()
            .user_pool_id(&pool)
            .group_name(group)
            .send()
            .await
            .expect("CreateGroup");
    }
    let target = Arc::new(Target { pool, client });
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    for round in 0..KILLS {
        load_then_kill(&mut node, &target, &ledger, round).await;
        // What the dead server sent PostgreSQL settles before anything is checked (SQLite
        // settles when the next server opens the database).
        if let Some(database) = database {
            database.wait_until_unused().await;
        }
        node = Node::start(store, None).await;
        check(&node, &target, &ledger, round).await;
    }
    let ledger = ledger.lock().unwrap();
    println!(
        "{}: {KILLS} SIGKILLs in {:.1?}; {} writes acknowledged, {} unacknowledged ones \
         found applied, {} users",
        store
            .database_url
            .as_ref()
            .map_or("SQLite", |_| "PostgreSQL"),
        started.elapsed(),
        ledger.acknowledged,
        ledger.unacknowledged,
        ledger.users.len()
    );
    assert!(
        ledger.acknowledged >= KILLS,
        "too few writes for the test to mean anything"
    );
}

/// Runs the writers, kills the server with SIGKILL 50-400 ms after it acknowledged the first
/// write (so a slow start does not leave a round without load), and waits for the writers.
async fn load_then_kill(
    node: &mut Node,
    target: &Arc<Target>,
    ledger: &Arc<Mutex<Ledger>>,
    round: usize,
) {
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| tokio::spawn(writer(node.idp(), target.clone(), ledger.clone(), w, round)))
        .collect();
    let acknowledged = ledger.lock().unwrap().acknowledged;
    let deadline = Instant::now() + Duration::from_secs(30);
    while ledger.lock().unwrap().acknowledged == acknowledged && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(rand::random_range(50..400))).await;
    node.kill();
    for writer in writers {
        if let Err(failure) = writer.await.unwrap() {
            panic!("round {round}: {failure}\nserver log:\n{}", node.log_tail());
        }
    }
}

/// After a restart: every acknowledged write is there, in-flight ones wholly or not at all,
/// and users confirmed with a password sign in with it.
async fn check(node: &Node, target: &Target, ledger: &Mutex<Ledger>, round: usize) {
    let idp = node.idp();
    let observed = observe(&idp, &target.pool)
        .await
        .unwrap_or_else(|e| panic!("after kill {round}: {e}"));
    let confirmed_sample = {
        let mut ledger = ledger.lock().unwrap();
        if let Err(problems) = ledger.reconcile(&observed) {
            panic!("after kill {round}, acknowledged writes are missing or torn:\n{problems}");
        }
        assert_eq!(
            observed.len(),
            ledger.created,
            "after kill {round}: ListUsers does not count every creation once"
        );
        sign_in_sample(&ledger)
    };
    for username in confirmed_sample {
        if let Err(error) = password_sign_in(&idp, &target.client, &username, PASSWORD).await {
            panic!("after kill {round}, confirmed {username} cannot sign in: {error:?}");
        }
    }
}

/// One confirmed user that signed up and one created by an administrator, at random.
fn sign_in_sample(ledger: &Ledger) -> Vec<String> {
    let confirmed = |signed_up: bool| -> Vec<&String> {
        ledger
            .users
            .iter()
            .filter(|(name, state)| {
                state.status == "CONFIRMED" && ledger.signed_up.contains(*name) == signed_up
            })
            .map(|(name, _)| name)
            .collect()
    };
    [true, false]
        .into_iter()
        .filter_map(|signed_up| {
            let candidates = confirmed(signed_up);
            (!candidates.is_empty())
                .then(|| candidates[rand::random_range(0..candidates.len())].clone())
        })
        .collect()
}
