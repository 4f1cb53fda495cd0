//! Write transactions, and SQLite's group commit.
//!
//! SQLite has one writer at a time, and with `synchronous=FULL` every
//! commit waits for an fsync of the write-ahead log: one transaction per
//! robot event would make the disk's flush rate the service's decision
//! rate. So on SQLite the service's write transactions share one
//! connection and are *batched*: the first writer of a batch begins it
//! (`BEGIN IMMEDIATE`), each writer's work is a savepoint inside it, and
//! the batch commits — one `COMMIT`, one fsync — when no other writer is
//! waiting for its turn, when it holds [`MAX_MEMBERS`] transactions, or
//! once it is [`MAX_AGE`] old. A writer's [`Tx::commit`] returns only when
//! its batch is durable, so what a robot is told was recorded is on disk;
//! a writer that rolls back (or fails) rolls back its savepoint alone and
//! its batch-mates commit; a batch that cannot commit fails every member,
//! none of which was acknowledged.
//!
//! Writers run one after the other on the shared connection, so each sees
//! what the writers before it in the batch wrote: the batch is the same
//! serial order the single writer had, with fewer fsyncs. Other
//! connections see a batch's writes when it commits, which is when its
//! members learn that they committed.
//!
//! PostgreSQL writers each have their own connection and transaction (the
//! server already groups concurrent commits' log flushes).

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Executor};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

/// A batch commits once it holds this many transactions.
pub const MAX_MEMBERS: usize = 256;
/// A batch commits once it is this old, waiting writers or not: the most a
/// batch's first member waits for the others.
pub const MAX_AGE: Duration = Duration::from_millis(4);

/// When writes last succeeded and last failed (Unix ms, 0: never): a full
/// disk fails writes while reads still work.
#[derive(Debug, Default)]
pub(super) struct WriteHealth {
    ok_at: AtomicI64,
    failed_at: AtomicI64,
    failure: std::sync::Mutex<String>,
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

impl WriteHealth {
    fn ok(&self) {
        self.ok_at.store(now_ms(), Ordering::Release);
    }

    fn failed(&self, e: &impl std::fmt::Display) {
        self.failed_at.store(now_ms(), Ordering::Release);
        *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = e.to_string();
    }

    /// The last failure, if no write succeeded since.
    pub(super) fn failing(&self) -> Option<String> {
        let failed = self.failed_at.load(Ordering::Acquire);
        let ok = self.ok_at.load(Ordering::Acquire);
        (failed > 0 && failed >= ok).then(|| {
            self.failure
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone()
        })
    }
}

/// How many batches committed and how many transactions they held.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchStats {
    pub batches: u64,
    pub transactions: u64,
}

/// SQLite's writer: the batch, and who waits for it.
#[derive(Debug)]
pub(super) struct Writer {
    batch: Arc<Mutex<Batch>>,
    /// Writers waiting for their turn: while any waits, a batch stays open
    /// for it (within its size and age).
    queued: AtomicUsize,
    batches: AtomicU64,
    transactions: AtomicU64,
    /// [`MAX_AGE`], in microseconds, unless a test waits longer.
    max_age_us: AtomicU64,
}

#[derive(Debug, Default)]
struct Batch {
    /// The writers' connection, kept from batch to batch (its page cache
    /// stays valid, as no other connection writes); a fresh one after a
    /// failure.
    conn: Option<PoolConnection<Any>>,
    /// When the open batch began; `None`: no transaction is open.
    began: Option<Instant>,
    /// Whether the writer whose turn it is has its savepoint open.
    in_savepoint: bool,
    /// Who learns the batch's outcome, in order.
    members: Vec<oneshot::Sender<Result<(), String>>>,
}

/// A writer's turn at the batch. However the turn ends — committed,
/// rolled back, or its future dropped half-way (a request's budget ran
/// out) — an open savepoint is rolled back and the batch is settled, on a
/// task of its own so no caller can cut that short.
struct Turn {
    batch: Option<OwnedMutexGuard<Batch>>,
    writer: Arc<Writer>,
    writes: Arc<WriteHealth>,
}

impl Turn {
    fn batch(&mut self) -> &mut Batch {
        self.batch
            .as_deref_mut()
            .unwrap_or_else(|| unreachable!("a turn holds its batch until it ends"))
    }

    /// Ends the turn: rolls back an open savepoint, settles the batch.
    async fn end(mut self) {
        if let Some(batch) = self.batch.take() {
            finish(batch, &self.writer, &self.writes).await;
        }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let Some(mut batch) = self.batch.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let (writer, writes) = (self.writer.clone(), self.writes.clone());
                runtime.spawn(async move { finish(batch, &writer, &writes).await });
            }
            Err(_) => {
                // No runtime to roll back on: the batch goes, unacknowledged
                // (closing the connection rolls it back).
                if let Some(mut conn) = batch.conn.take() {
                    conn.close_on_drop();
                }
                batch.began = None;
                batch.in_savepoint = false;
                batch.members.clear();
            }
        }
    }
}

async fn finish(mut batch: OwnedMutexGuard<Batch>, writer: &Writer, writes: &WriteHealth) {
    if batch.in_savepoint {
        batch.roll_back_savepoint(writes).await;
    }
    settle(&mut batch, writer, writes).await;
}

/// Whether a `Tx` is its own transaction or a savepoint in a batch.
enum Held {
    Own(PoolConnection<Any>),
    Batch(Turn),
    Done,
}

/// A write transaction: on PostgreSQL, its own; on SQLite, a savepoint in
/// the open batch, holding the writer's turn until it commits or rolls
/// back.
///
/// Transactions are run with plain `BEGIN`/`COMMIT` rather than through
/// sqlx's transaction type: when a commit fails (a full disk), sqlx would
/// give the connection back to the pool still counting itself inside a
/// transaction, and every later write on it would fail until a restart.
/// Here a connection whose transaction did not end cleanly is closed
/// instead (closing rolls its transaction back).
///
/// Dropping a `Tx` rolls it back.
pub struct Tx {
    held: Held,
    writes: Arc<WriteHealth>,
}

/// A writer counted as waiting for its turn until it gets it. One that
/// stops waiting (its request's budget ran out) may have been the writer
/// an open batch waited for: the batch is settled without it.
struct Queued<'a> {
    writer: &'a Arc<Writer>,
    writes: &'a Arc<WriteHealth>,
    served: bool,
}

impl<'a> Queued<'a> {
    fn enter(writer: &'a Arc<Writer>, writes: &'a Arc<WriteHealth>) -> Queued<'a> {
        writer.queued.fetch_add(1, Ordering::AcqRel);
        Queued {
            writer,
            writes,
            served: false,
        }
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.writer.queued.fetch_sub(1, Ordering::AcqRel);
        if !self.served
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let (writer, writes) = (self.writer.clone(), self.writes.clone());
            runtime.spawn(async move {
                let mut batch = writer.batch.clone().lock_owned().await;
                settle(&mut batch, &writer, &writes).await;
            });
        }
    }
}

impl Default for Writer {
    fn default() -> Self {
        Writer {
            batch: Arc::default(),
            queued: AtomicUsize::new(0),
            batches: AtomicU64::new(0),
            transactions: AtomicU64::new(0),
            max_age_us: AtomicU64::new(MAX_AGE.as_micros() as u64),
        }
    }
}

impl Writer {
    fn max_age(&self) -> Duration {
        Duration::from_micros(self.max_age_us.load(Ordering::Relaxed))
    }

    pub(super) fn stats(&self) -> BatchStats {
        BatchStats {
            batches: self.batches.load(Ordering::Relaxed),
            transactions: self.transactions.load(Ordering::Relaxed),
        }
    }
}

/// Starts a write transaction.
pub(super) async fn begin(
    pool: &AnyPool,
    sqlite: bool,
    writer: &Arc<Writer>,
    writes: &Arc<WriteHealth>,
) -> sqlx::Result<Tx> {
    let held = if sqlite {
        let mut turn = {
            let mut queued = Queued::enter(writer, writes);
            let batch = writer.batch.clone().lock_owned().await;
            queued.served = true;
            Turn {
                batch: Some(batch),
                writer: writer.clone(),
                writes: writes.clone(),
            }
        };
        let batch = turn.batch();
        if batch.conn.is_none() {
            batch.conn = Some(pool.acquire().await.inspect_err(|e| writes.failed(e))?);
        }
        if batch.began.is_none() {
            if let Err(e) = batch.conn().execute("BEGIN IMMEDIATE").await {
                writes.failed(&e);
                batch.fail(&e).await;
                return Err(e);
            }
            batch.began = Some(Instant::now());
        }
        if let Err(e) = batch.conn().execute("SAVEPOINT tx").await {
            writes.failed(&e);
            batch.fail(&e).await;
            return Err(e);
        }
        batch.in_savepoint = true;
        Held::Batch(turn)
    } else {
        let mut conn = pool.acquire().await.inspect_err(|e| writes.failed(e))?;
        if let Err(e) = conn.execute("BEGIN").await {
            writes.failed(&e);
            conn.close_on_drop();
            return Err(e);
        }
        Held::Own(conn)
    };
    Ok(Tx {
        held,
        writes: writes.clone(),
    })
}

impl Batch {
    fn conn(&mut self) -> &mut AnyConnection {
        self.conn
            .as_deref_mut()
            .unwrap_or_else(|| unreachable!("a batch in progress has its connection"))
    }

    /// Commits the open batch and tells its members.
    async fn commit(&mut self, writer: &Writer, writes: &WriteHealth) {
        if self.began.is_none() {
            return;
        }
        match self.conn().execute("COMMIT").await {
            Ok(_) => {
                self.began = None;
                writes.ok();
                let n = self.members.len();
                if n > 0 {
                    writer.batches.fetch_add(1, Ordering::Relaxed);
                    writer.transactions.fetch_add(n as u64, Ordering::Relaxed);
                }
                for member in self.members.drain(..) {
                    let _ = member.send(Ok(()));
                }
            }
            Err(e) => {
                writes.failed(&e);
                self.fail(&e).await;
            }
        }
    }

    /// Gives the batch up: rolls it back, tells its members why, and closes
    /// the connection (the next batch takes a fresh one).
    async fn fail(&mut self, why: &impl std::fmt::Display) {
        self.in_savepoint = false;
        if let Some(mut conn) = self.conn.take() {
            if self.began.is_some() {
                let _ = conn.execute("ROLLBACK").await;
            }
            conn.close_on_drop();
        }
        self.began = None;
        let why = format!("the write batch failed: {why}");
        for member in self.members.drain(..) {
            let _ = member.send(Err(why.clone()));
        }
    }

    /// Rolls back the savepoint of the writer whose turn it is.
    async fn roll_back_savepoint(&mut self, writes: &WriteHealth) {
        self.in_savepoint = false;
        let conn = self.conn();
        let rolled_back = match conn.execute("ROLLBACK TO tx").await {
            Ok(_) => conn.execute("RELEASE tx").await,
            Err(e) => Err(e),
        };
        if let Err(e) = rolled_back {
            writes.failed(&e);
            self.fail(&e).await;
        }
    }
}

/// At the end of a writer's turn: commits the batch unless a writer is
/// waiting to join it and it has room and time left.
async fn settle(batch: &mut Batch, writer: &Writer, writes: &WriteHealth) {
    let Some(began) = batch.began else {
        return;
    };
    let full = batch.members.len() >= MAX_MEMBERS || began.elapsed() >= writer.max_age();
    if full || writer.queued.load(Ordering::Acquire) == 0 {
        batch.commit(writer, writes).await;
    }
}

fn batch_error(why: String) -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::other(why))
}

impl Tx {
    /// Commits; on SQLite, returns once the batch holding this transaction
    /// is durable.
    pub async fn commit(mut self) -> sqlx::Result<()> {
        match std::mem::replace(&mut self.held, Held::Done) {
            Held::Own(mut conn) => match conn.execute("COMMIT").await {
                Ok(_) => {
                    self.writes.ok();
                    Ok(())
                }
                Err(e) => {
                    self.writes.failed(&e);
                    conn.close_on_drop();
                    Err(e)
                }
            },
            Held::Batch(mut turn) => {
                let batch = turn.batch();
                if let Err(e) = batch.conn().execute("RELEASE tx").await {
                    self.writes.failed(&e);
                    batch.fail(&e).await;
                    return Err(e);
                }
                batch.in_savepoint = false;
                let (done, outcome) = oneshot::channel();
                batch.members.push(done);
                // The batch is settled on its own task: a caller that stops
                // waiting cannot cut a commit short.
                tokio::spawn(turn.end());
                match outcome.await {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(why)) => Err(batch_error(why)),
                    Err(_) => Err(batch_error("the write batch was abandoned".into())),
                }
            }
            Held::Done => Ok(()),
        }
    }

    /// Rolls back; dropping a `Tx` rolls back too.
    pub async fn rollback(mut self) {
        match std::mem::replace(&mut self.held, Held::Done) {
            Held::Own(mut conn) => {
                if conn.execute("ROLLBACK").await.is_err() {
                    conn.close_on_drop();
                }
            }
            Held::Batch(turn) => turn.end().await,
            Held::Done => {}
        }
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        // A batch's turn rolls back and settles as it drops.
        if let Held::Own(conn) = &mut self.held {
            // Closing the connection rolls its transaction back.
            conn.close_on_drop();
        }
    }
}

impl Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &Self::Target {
        match &self.held {
            Held::Own(conn) => conn,
            Held::Batch(turn) => turn
                .batch
                .as_ref()
                .and_then(|batch| batch.conn.as_deref())
                .unwrap_or_else(|| unreachable!("a batch in progress has its connection")),
            // Taken only by `commit` and `rollback`, which consume the `Tx`.
            Held::Done => unreachable!("a finished transaction"),
        }
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match &mut self.held {
            Held::Own(conn) => conn,
            Held::Batch(turn) => turn.batch().conn(),
            Held::Done => unreachable!("a finished transaction"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    async fn db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}", dir.path().join("w.db").display()))
            .await
            .unwrap();
        // The tests' steps take longer than a batch's age in a debug build.
        db.writer.max_age_us.store(u64::MAX, Ordering::Relaxed);
        sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY)")
            .execute(db.pool())
            .await
            .unwrap();
        (dir, db)
    }

    async fn insert(tx: &mut Tx, id: i64) -> sqlx::Result<()> {
        sqlx::query("INSERT INTO t (id) VALUES ($1)")
            .bind(id)
            .execute(&mut **tx)
            .await
            .map(drop)
    }

    async fn ids(db: &Db) -> Vec<i64> {
        sqlx::query_scalar("SELECT id FROM t ORDER BY id")
            .fetch_all(db.pool())
            .await
            .unwrap()
    }

    /// Waits until `n` writers wait for their turn.
    async fn queued(db: &Db, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while db.writer.queued.load(Ordering::Acquire) != n {
            assert!(Instant::now() < deadline, "{n} writers never queued");
            tokio::task::yield_now().await;
        }
    }

    /// Three writers in one batch: the one that fails rolls back alone, the
    /// others commit together, and the first learns it committed only when
    /// the last one's commit made the batch durable.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_writer_does_not_fail_its_batch_mates() {
        let (_dir, db) = db().await;
        let mut first = db.write().await.unwrap();
        insert(&mut first, 1).await.unwrap();
        let failing = tokio::spawn({
            let db = db.clone();
            async move {
                let mut tx = db.write().await.unwrap();
                insert(&mut tx, 1).await // taken by the first writer
            }
        });
        queued(&db, 1).await;
        let last = tokio::spawn({
            let db = db.clone();
            async move {
                let mut tx = db.write().await.unwrap();
                insert(&mut tx, 3).await.unwrap();
                tx.commit().await
            }
        });
        queued(&db, 2).await;
        let committed = tokio::spawn(first.commit());
        let error = failing.await.unwrap().unwrap_err();
        assert!(crate::db::is_unique_violation(&error), "{error}");
        last.await.unwrap().unwrap();
        committed.await.unwrap().unwrap();
        assert_eq!(ids(&db).await, [1, 3]);
        assert_eq!(
            db.batch_stats(),
            BatchStats {
                batches: 1,
                transactions: 2
            }
        );
    }

    /// A writer alone commits at once, and what it rolled back is gone.
    #[tokio::test]
    async fn a_lone_writer_commits_at_once() {
        let (_dir, db) = db().await;
        let mut tx = db.write().await.unwrap();
        insert(&mut tx, 7).await.unwrap();
        tx.rollback().await;
        let mut tx = db.write().await.unwrap();
        insert(&mut tx, 8).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(ids(&db).await, [8]);
        assert_eq!(db.batch_stats().batches, 1);
    }

    /// A writer that gives up waiting for its turn does not leave the batch
    /// it would have joined open.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_writer_that_stops_waiting_does_not_hold_the_batch() {
        let (_dir, db) = db().await;
        let mut first = db.write().await.unwrap();
        insert(&mut first, 1).await.unwrap();
        let waiting = tokio::spawn({
            let db = db.clone();
            async move { db.write().await.map(drop) }
        });
        queued(&db, 1).await;
        let committed = tokio::spawn(first.commit());
        // Its turn comes after the first's commit; cancel it while queued.
        waiting.abort();
        let _ = waiting.await;
        tokio::time::timeout(Duration::from_secs(30), committed)
            .await
            .expect("the batch commits without the writer that left")
            .unwrap()
            .unwrap();
        assert_eq!(ids(&db).await, [1]);
    }
}
