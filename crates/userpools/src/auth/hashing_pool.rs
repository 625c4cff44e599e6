//! A fixed set of threads for password hashing and SRP verifiers, one per core.
//!
//! argon2id at Cognito's cost takes 19 MiB per hash. On tokio's blocking pool each job may
//! land on a new thread, and the allocator keeps every thread's freed block for reuse, so
//! memory grew by 19 MiB per thread ever used (over a gigabyte under load). A fixed pool
//! bounds that to one block per core, and bounds the CPU the hashing takes, so the request
//! threads never starve: jobs beyond the pool queue.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};

use cognitod_model::Error;

use crate::shared::errors;

type Job = Box<dyn FnOnce() + Send>;

fn workers() -> &'static Mutex<Sender<Job>> {
    static WORKERS: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();
    WORKERS.get_or_init(|| {
        let (sender, receiver) = channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let count = std::thread::available_parallelism().map_or(2, |n| n.get());
        for i in 0..count {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("cognitod-hash-{i}"))
                .spawn(move || work(&receiver))
                .expect("spawning a hashing thread");
        }
        Mutex::new(sender)
    })
}

fn work(receiver: &Mutex<Receiver<Job>>) {
    loop {
        let job = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        let Ok(job) = job else { return };
        // A panicking job drops its reply (the caller gets an internal error); the thread
        // lives on.
        let _ = catch_unwind(AssertUnwindSafe(job));
    }
}

/// Runs `job` on a hashing thread and waits for its result without blocking the runtime.
pub(crate) async fn run<T: Send + 'static>(
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    let (reply, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = reply.send(job());
    });
    workers()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .send(job)
        .map_err(errors::internal)?;
    result.await.map_err(errors::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_off_the_runtime_and_a_panic_is_an_error() {
        let name = run(|| std::thread::current().name().map(str::to_string))
            .await
            .unwrap();
        assert!(name.unwrap().starts_with("cognitod-hash-"));
        let failed = run(|| -> u32 { panic!("job failed") }).await;
        assert!(failed.is_err());
        // The pool still works after a panic.
        let many = futures::future::join_all((0..32u32).map(|i| run(move || i * 2))).await;
        assert_eq!(
            many.into_iter().map(Result::unwrap).sum::<u32>(),
            (0..32).map(|i| i * 2).sum::<u32>()
        );
    }
}
