//! Group commit: the writes that wait for one category's lock share one
//! transaction, and so one flush of the WAL.
//!
//! What it buys: a busy category commits a group per disk flush instead of a
//! write per flush (16 writers in one category: 2.8 times SQL's
//! `write_message`, see `benchmarks/README.md`). What it costs: a queue and
//! a task per busy category; a group with one bad write is written again
//! one write at a time; and when a group's connection breaks, every write of
//! it is in doubt, not just one.
//!
//! Every write to a category takes the category's lock and holds it until
//! its transaction has committed, and a commit waits for the disk. That lock
//! is what keeps category reads free of gaps (see `005_acquire_lock.sql`),
//! but it also means a category takes at most one write per disk flush, and
//! writers queue for it: four handlers writing to `account` at once commit
//! one after another, each paying a flush.
//!
//! Those writers are going to take turns anyway, so this module lets them
//! take their turn *together*. Writes of one process to one category go into
//! a queue. Whoever finds the queue idle starts a task that takes everything
//! waiting and writes it in one transaction; while that transaction commits,
//! new writes gather, and the task takes them next. A lone writer waits for
//! no one (its write is in the very next transaction), and a busy category
//! gets one flush per group instead of one per message.
//!
//! The group's transaction is one statement, a call to `write_messages`
//! with every message of the group (see `007_write_message.sql`): a
//! statement on its own is a transaction, so the group costs one round trip
//! to the server instead of a BEGIN, a call per message and a COMMIT.
//!
//! Each write keeps its own meaning: its own expected version, all of its
//! messages or none, and an answer only once its transaction has committed.
//! If anything in a group fails (one write's expected version was wrong,
//! say), the transaction is rolled back and every write of the group is
//! made again on its own, so each caller gets exactly the answer it would
//! have had alone. A group holds only one category's lock, as a single
//! write does, so groups cannot deadlock each other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures_util::future::BoxFuture;
use messaging::store::postgres::{MessageArrays, PostgresWriter, WriteFunctions, write_alone};
use messaging::{ExpectedVersion, NewMessage, StoreError, StreamName};
use sqlx::PgPool;
use tokio::sync::oneshot;

/// The most writes one transaction takes. Enough to empty any realistic
/// queue; a bound so that one transaction never holds the lock for long.
const MOST_WRITES_PER_GROUP: usize = 100;

/// The queues of the categories being written to, by category and by the
/// SQL functions they are written with (a handle that may write only
/// commands writes through its own, and its writes group apart).
#[derive(Clone, Debug, Default)]
pub struct GroupCommit {
    queues: Arc<Mutex<HashMap<Queue, Vec<Write>>>>,
}

/// What a queue's writes share: their category, and their SQL functions.
type Queue = (String, WriteFunctions);

/// One caller's write, waiting for its group.
#[derive(Debug)]
struct Write {
    stream_name: StreamName,
    messages: Vec<NewMessage>,
    expected_version: ExpectedVersion,
    answer: oneshot::Sender<Result<i64, StoreError>>,
}

impl PostgresWriter for GroupCommit {
    fn write<'a>(
        &'a self,
        pool: &'a PgPool,
        functions: WriteFunctions,
        stream_name: &'a StreamName,
        messages: &'a [NewMessage],
        expected_version: ExpectedVersion,
    ) -> BoxFuture<'a, Result<i64, StoreError>> {
        Box::pin(self.write_in_group(pool, functions, stream_name, messages, expected_version))
    }
}

impl GroupCommit {
    /// Writes `messages` to `stream_name` in the next group of its category,
    /// and returns the position of the last once that group has committed.
    async fn write_in_group(
        &self,
        pool: &PgPool,
        functions: WriteFunctions,
        stream_name: &StreamName,
        messages: &[NewMessage],
        expected_version: ExpectedVersion,
    ) -> Result<i64, StoreError> {
        let (answer, answered) = oneshot::channel();
        let queue = (stream_name.category().to_string(), functions);
        let write = Write {
            stream_name: stream_name.clone(),
            messages: messages.to_vec(),
            expected_version,
            answer,
        };
        // A category is in the map exactly while a task is writing its
        // queue. The first writer to find it absent starts that task.
        let idle = {
            let mut queues = self.lock();
            let idle = !queues.contains_key(&queue);
            queues.entry(queue.clone()).or_default().push(write);
            idle
        };
        if idle {
            // A task of its own, not the caller's future: a caller that gives
            // up (a web request cancelled by its browser) must not strand the
            // writes of everyone who joined its group.
            tokio::spawn(self.clone().write_queue(pool.clone(), queue));
        }
        answered.await.unwrap_or_else(|_| {
            // The task ended without answering: it panicked. The write may or
            // may not have committed, which is what a broken connection
            // means too, so it is reported as one.
            Err(StoreError::OutcomeUnknown(sqlx::Error::WorkerCrashed))
        })
    }

    /// Writes `queue`, group after group, until it is empty.
    async fn write_queue(self, pool: PgPool, queue: Queue) {
        let mut finished = Finished {
            queues: &self,
            queue: &queue,
            done: false,
        };
        let (_, functions) = queue;
        loop {
            let group: Vec<Write> = {
                let mut queues = self.lock();
                let Some(waiting) = queues.get_mut(&queue) else {
                    break;
                };
                if waiting.is_empty() {
                    queues.remove(&queue);
                    break;
                }
                let taken = waiting.len().min(MOST_WRITES_PER_GROUP);
                waiting.drain(..taken).collect()
            };
            write_group(&pool, functions, group).await;
        }
        finished.done = true;
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Queue, Vec<Write>>> {
        // The map is consistent between statements, so a panic elsewhere
        // while it was locked leaves nothing half-done.
        self.queues.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Should a queue's task end without emptying it (a panic), this forgets the
/// queue, so that the waiting callers hear of it and the next write starts
/// afresh, instead of the category waiting forever for a task that is gone.
struct Finished<'a> {
    queues: &'a GroupCommit,
    queue: &'a Queue,
    done: bool,
}

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.queues.lock().remove(self.queue);
        }
    }
}

/// Why a group was not written together.
enum GroupFailed {
    /// Nothing was written: the server refused the statement (and so
    /// rolled all of it back), or it was never sent. Each write can be made
    /// again on its own, to find out which one failed and why.
    NothingWritten(StoreError),
    /// The statement was sent and no answer came back (the connection
    /// broke): the group may or may not be written. Writing again could not
    /// tell, so every caller is told what a lone writer would be told, that
    /// its write failed in a way worth retrying; a retry finds its message
    /// written or not.
    Unknown(StoreError),
}

/// Writes one group: together if it can, each on its own if not.
async fn write_group(pool: &PgPool, functions: WriteFunctions, group: Vec<Write>) {
    if group.len() > 1 {
        match write_together(pool, functions, &group).await {
            Ok(positions) => {
                for (write, position) in group.into_iter().zip(positions) {
                    let _ = write.answer.send(Ok(position));
                }
                return;
            }
            Err(GroupFailed::Unknown(error)) => {
                tracing::warn!(%error, writes = group.len(), "writing a group failed without an answer");
                for write in group {
                    let failed =
                        sqlx::Error::Protocol(format!("writing the group failed: {error}"));
                    let _ = write.answer.send(Err(StoreError::OutcomeUnknown(failed)));
                }
                return;
            }
            Err(GroupFailed::NothingWritten(error)) => {
                tracing::debug!(%error, writes = group.len(), "a group failed; writing each on its own");
            }
        }
    }
    for write in group {
        let written = write_alone(
            pool,
            functions,
            &write.stream_name,
            &write.messages,
            write.expected_version,
        )
        .await;
        // A caller that has gone away no longer needs its answer.
        let _ = write.answer.send(written);
    }
}

/// Every write of `group` in one statement (`write_messages`, one round
/// trip, one transaction); the position of each write's last message, in
/// order.
async fn write_together(
    pool: &PgPool,
    functions: WriteFunctions,
    group: &[Write],
) -> Result<Vec<i64>, GroupFailed> {
    let mut arrays = MessageArrays::default();
    for write in group {
        arrays
            .push(&write.stream_name, &write.messages, write.expected_version)
            .map_err(GroupFailed::NothingWritten)?;
    }
    let mut connection = pool
        .acquire()
        .await
        .map_err(|error| GroupFailed::NothingWritten(error.into()))?;
    let positions = arrays
        .write(&mut connection, functions.many)
        .await
        .map_err(|error| match error {
            // The server answered with an error: the statement's transaction
            // was rolled back, nothing of it is written.
            sqlx::Error::Database(_) => GroupFailed::NothingWritten(error.into()),
            _ => GroupFailed::Unknown(error.into()),
        })?;
    // Each write's answer is the position of its own last message.
    let mut last_positions = Vec::with_capacity(group.len());
    let mut written = 0;
    for write in group {
        written += write.messages.len();
        let position = written
            .checked_sub(1)
            .and_then(|last| positions.get(last))
            .copied()
            .ok_or_else(|| {
                let missing = format!("{} positions for {written} messages", positions.len());
                GroupFailed::Unknown(StoreError::MalformedRow(missing))
            })?;
        last_positions.push(position);
    }
    Ok(last_positions)
}
