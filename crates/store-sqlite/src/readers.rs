//! The read connections: a fixed set of SQLite connections, each behind its own lock.
//!
//! sqlx's pool pings a connection's worker thread when the connection is returned, and spawns
//! a task to return it: two extra thread hand-offs for every read. A local file cannot lose
//! its connection, so reads take a free connection from this set instead and give it back by
//! dropping the guard. A read that is cancelled half-way leaves nothing behind: the worker
//! resets the statement before it runs the next command.

use std::sync::atomic::{AtomicUsize, Ordering};

use cognitod_store::StoreResult;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, SqliteConnection};
use tokio::sync::{Mutex, MutexGuard};

use crate::backend;

pub(crate) struct Readers {
    connections: Vec<Mutex<SqliteConnection>>,
    next: AtomicUsize,
}

impl Readers {
    pub(crate) async fn open(options: &SqliteConnectOptions, count: usize) -> StoreResult<Self> {
        let mut connections = Vec::with_capacity(count);
        for _ in 0..count.max(1) {
            connections.push(Mutex::new(options.connect().await.map_err(backend)?));
        }
        Ok(Self {
            connections,
            next: AtomicUsize::new(0),
        })
    }

    /// A free connection if there is one, else the next in turn once it is free.
    pub(crate) async fn get(&self) -> MutexGuard<'_, SqliteConnection> {
        let count = self.connections.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % count;
        for i in 0..count {
            if let Ok(guard) = self.connections[(start + i) % count].try_lock() {
                return guard;
            }
        }
        self.connections[start].lock().await
    }
}
