//! One env shard: a slice of a vectorized environment stepped on a thread
//! of its own, handed work through a single-slot mailbox that spins briefly
//! before it sleeps ([`EnvShard`]), or stepped by the caller itself while
//! the other shards' threads step theirs ([`CallerShard`]).
//!
//! Why not an actix `SyncArbiter`: its channel parks the shard thread after
//! every message, and on this VM an idle vCPU takes 45–58 µs to wake, which
//! made one hop cost ten times the 2.6 µs it takes to step CartPole×256.
//! Spinning for a short while after each job (as EnvPool's worker queue
//! does) keeps the thread awake across the policy's forward pass, so the
//! next job starts within a few hundred nanoseconds.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::thread::{self, JoinHandle, Thread};
use std::time::{Duration, Instant};

use agora_agents::{ActionBatch, Batch, EnvError, VecEnvSnapshot, VectorEnv};
use futures::task::AtomicWaker;

use crate::panic_text::panic_message;

/// How long the shard thread stays awake after a job, waiting for the next.
/// Long enough to span a policy forward pass on a small network, short
/// enough that a paused run stops burning a core within a millisecond.
const WORKER_SPIN: Duration = Duration::from_micros(300);

/// How long the caller busy-waits for a shard's answer before it gives its
/// thread back to the async runtime and waits to be woken.
const CALLER_SPIN: Duration = Duration::from_micros(300);

/// Busy-wait iterations before each spinner starts yielding its core.
const PURE_SPINS: u32 = 64;

/// Actions for one shard, owned so they can travel to its thread and back.
#[derive(Debug, Clone, PartialEq)]
pub enum OwnedActions {
    /// One index per env.
    Discrete(Vec<i64>),
    /// `dim` floats per env.
    Box(Vec<f32>),
    /// `dim` indices per env.
    MultiDiscrete(Vec<i64>),
}

impl OwnedActions {
    /// Borrowed view, as the env batch takes it.
    pub fn as_batch(&self) -> ActionBatch<'_> {
        match self {
            OwnedActions::Discrete(v) => ActionBatch::Discrete(v),
            OwnedActions::Box(v) => ActionBatch::Box(v),
            OwnedActions::MultiDiscrete(v) => ActionBatch::MultiDiscrete(v),
        }
    }

    /// Copies `actions` into this buffer, reusing its allocation.
    pub fn copy_from(&mut self, actions: ActionBatch<'_>) {
        match (self, actions) {
            (OwnedActions::Discrete(own), ActionBatch::Discrete(new))
            | (OwnedActions::MultiDiscrete(own), ActionBatch::MultiDiscrete(new)) => {
                own.clear();
                own.extend_from_slice(new);
            }
            (OwnedActions::Box(own), ActionBatch::Box(new)) => {
                own.clear();
                own.extend_from_slice(new);
            }
            (own, new) => *own = OwnedActions::from(new),
        }
    }
}

impl From<ActionBatch<'_>> for OwnedActions {
    fn from(actions: ActionBatch<'_>) -> Self {
        match actions {
            ActionBatch::Discrete(v) => OwnedActions::Discrete(v.to_vec()),
            ActionBatch::Box(v) => OwnedActions::Box(v.to_vec()),
            ActionBatch::MultiDiscrete(v) => OwnedActions::MultiDiscrete(v.to_vec()),
        }
    }
}

/// Work for a shard thread.
#[derive(Debug)]
pub enum ShardJob {
    /// Step every env once with its action.
    Step {
        /// The shard's actions (given back in the answer for reuse).
        actions: OwnedActions,
        /// The shard's step buffers (given back filled).
        buffer: Batch,
    },
    /// Reset every env; env `i` gets `seed + i` (global index).
    Reset {
        /// Seed of the whole batch.
        seed: Option<u64>,
        /// The shard's actions buffer, passed through.
        actions: OwnedActions,
        /// The shard's buffers.
        buffer: Batch,
    },
    /// Take a snapshot of the envs (for a checkpoint).
    Snapshot,
    /// Put a snapshot back (resuming a checkpoint).
    Restore(VecEnvSnapshot),
}

/// A shard thread's answer to a [`ShardJob`].
#[derive(Debug)]
pub enum ShardReply {
    /// Answer to a step or reset.
    Stepped(Result<Stepped, ShardError>),
    /// Answer to a snapshot.
    Snapshot(Result<VecEnvSnapshot, EnvError>),
    /// Answer to a restore.
    Restored(Result<(), EnvError>),
    /// The envs panicked, now or earlier; the shard cannot step again.
    Gone(String),
}

/// A step's or reset's result: the filled buffers and how long stepping
/// took on the shard's thread.
#[derive(Debug)]
pub struct Stepped {
    /// The actions buffer, for reuse.
    pub actions: OwnedActions,
    /// Filled step buffers.
    pub buffer: Batch,
    /// Real transitions (autoreset-only slots not counted).
    pub transitions: usize,
    /// Time spent stepping on the shard's thread.
    pub compute: Duration,
}

/// A shard refused a request; the buffers are given back.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct ShardError {
    /// What went wrong.
    pub error: EnvError,
    /// The actions buffer, given back.
    pub actions: OwnedActions,
    /// The step buffers, given back.
    pub buffer: Batch,
}

/// Where the single job of a shard is in its round trip.
const IDLE: u8 = 0;
const JOB_READY: u8 = 1;
const REPLY_READY: u8 = 2;
/// The thread has exited; nothing will answer again.
const EXITED: u8 = 3;

/// What the caller and the shard thread share: one job, one reply, and the
/// state word that hands them over (the mutexes are never contended, the
/// state says whose turn it is).
struct Mailbox {
    state: AtomicU8,
    shutdown: AtomicBool,
    job: Mutex<Option<ShardJob>>,
    reply: Mutex<Option<ShardReply>>,
    caller: AtomicWaker,
}

impl Mailbox {
    fn job(&self) -> MutexGuard<'_, Option<ShardJob>> {
        self.job.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn reply(&self) -> MutexGuard<'_, Option<ShardReply>> {
        self.reply.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The caller's handle on one shard thread. At most one job is in flight;
/// dropping the handle stops the thread.
pub struct EnvShard {
    mailbox: Arc<Mailbox>,
    thread: Thread,
    handle: Option<JoinHandle<()>>,
}

impl EnvShard {
    /// Starts a thread that owns `envs` and steps them on request.
    pub fn start(name: String, envs: Box<dyn VectorEnv>) -> std::io::Result<EnvShard> {
        let mailbox = Arc::new(Mailbox {
            state: AtomicU8::new(IDLE),
            shutdown: AtomicBool::new(false),
            job: Mutex::new(None),
            reply: Mutex::new(None),
            caller: AtomicWaker::new(),
        });
        let shared = Arc::clone(&mailbox);
        let handle = thread::Builder::new()
            .name(name)
            .spawn(move || serve(&shared, envs))?;
        Ok(EnvShard {
            mailbox,
            thread: handle.thread().clone(),
            handle: Some(handle),
        })
    }

    /// Hands `job` to the shard thread. Call [`answer`](Self::answer)
    /// before sending another.
    pub fn send(&self, job: ShardJob) {
        *self.mailbox.job() = Some(job);
        // A thread that has exited never resets EXITED, so the answer
        // reports it instead of waiting forever.
        let _ = self.mailbox.state.compare_exchange(
            IDLE,
            JOB_READY,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
        self.thread.unpark();
    }

    /// Waits for the answer to the job last sent: spins briefly (the usual
    /// case, a step takes microseconds), then waits asynchronously.
    pub async fn answer(&self) -> ShardReply {
        let mailbox = &*self.mailbox;
        let started = Instant::now();
        let mut spins = 0u32;
        while mailbox.state.load(Ordering::Acquire) == JOB_READY && started.elapsed() < CALLER_SPIN
        {
            pause(&mut spins);
        }
        futures::future::poll_fn(|cx| {
            if mailbox.state.load(Ordering::Acquire) == JOB_READY {
                mailbox.caller.register(cx.waker());
                if mailbox.state.load(Ordering::Acquire) == JOB_READY {
                    return Poll::Pending;
                }
            }
            Poll::Ready(())
        })
        .await;
        let reply = mailbox.reply().take();
        let _ =
            mailbox
                .state
                .compare_exchange(REPLY_READY, IDLE, Ordering::AcqRel, Ordering::Acquire);
        reply.unwrap_or_else(|| ShardReply::Gone("its thread has exited".into()))
    }
}

impl Drop for EnvShard {
    fn drop(&mut self) {
        self.mailbox.shutdown.store(true, Ordering::Release);
        self.thread.unpark();
        if let Some(handle) = self.handle.take() {
            // The thread only runs user code inside catch_unwind, so join
            // returns once the job in hand (if any) is done.
            let _ = handle.join();
        }
    }
}

/// A shard stepped by the calling thread itself, straight into the rows of
/// the gathered batch. With as many shards as cores, the caller steps one
/// instead of waiting idle while the shard threads share the cores with it,
/// and its rows need no copy.
pub struct CallerShard {
    worker: Mutex<Worker>,
}

impl CallerShard {
    /// A shard of `envs`, stepped by the caller.
    pub fn new(envs: Box<dyn VectorEnv>) -> CallerShard {
        CallerShard {
            worker: Mutex::new(Worker {
                envs: Some(envs),
                lost: None,
            }),
        }
    }

    /// Runs `work` on the envs, here and now; `Err` with the reason when
    /// they panicked, now or before (they are not touched again).
    pub fn with_envs<R>(&self, work: impl FnOnce(&mut dyn VectorEnv) -> R) -> Result<R, String> {
        self.worker
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .with_envs(work)
    }
}

/// Spin a little, then yield the core, so two spinners on two cores with a
/// third thread waiting do not starve it.
fn pause(spins: &mut u32) {
    if *spins < PURE_SPINS {
        *spins += 1;
        std::hint::spin_loop();
    } else {
        thread::yield_now();
    }
}

/// Marks the mailbox closed however the thread leaves, so a caller never
/// waits on a thread that is not there.
struct ExitGuard<'a>(&'a Mailbox);

impl Drop for ExitGuard<'_> {
    fn drop(&mut self) {
        self.0.state.store(EXITED, Ordering::Release);
        self.0.caller.wake();
    }
}

/// The shard thread's loop: wait for a job, run it, post the reply.
fn serve(mailbox: &Mailbox, envs: Box<dyn VectorEnv>) {
    let _exit = ExitGuard(mailbox);
    let mut worker = Worker {
        envs: Some(envs),
        lost: None,
    };
    while wait_for_job(mailbox) {
        let Some(job) = mailbox.job().take() else {
            continue;
        };
        let reply = worker.run(job);
        *mailbox.reply() = Some(reply);
        mailbox.state.store(REPLY_READY, Ordering::Release);
        mailbox.caller.wake();
    }
}

/// Returns once a job is ready (true) or shutdown was asked (false).
fn wait_for_job(mailbox: &Mailbox) -> bool {
    let started = Instant::now();
    let mut spins = 0u32;
    loop {
        if mailbox.shutdown.load(Ordering::Acquire) {
            return false;
        }
        if mailbox.state.load(Ordering::Acquire) == JOB_READY {
            return true;
        }
        if started.elapsed() < WORKER_SPIN {
            pause(&mut spins);
        } else {
            // unpark before park is remembered, so a job posted between
            // the check above and here is not missed.
            thread::park();
        }
    }
}

struct Worker {
    envs: Option<Box<dyn VectorEnv>>,
    /// Why the envs were dropped (a panic while stepping).
    lost: Option<String>,
}

impl Worker {
    fn run(&mut self, job: ShardJob) -> ShardReply {
        self.with_envs(|envs| run_job(envs, job))
            .unwrap_or_else(ShardReply::Gone)
    }

    fn with_envs<R>(&mut self, work: impl FnOnce(&mut dyn VectorEnv) -> R) -> Result<R, String> {
        let Some(envs) = self.envs.as_mut() else {
            return Err(self.lost.clone().unwrap_or_default());
        };
        match catch_unwind(AssertUnwindSafe(|| work(envs.as_mut()))) {
            Ok(done) => Ok(done),
            Err(panic) => {
                // Envs that panicked mid-step are in an unknown state; they
                // are not stepped again.
                let why = format!("the env panicked: {}", panic_message(&*panic));
                self.envs = None;
                self.lost = Some(why.clone());
                Err(why)
            }
        }
    }
}

fn run_job(envs: &mut dyn VectorEnv, job: ShardJob) -> ShardReply {
    match job {
        ShardJob::Step {
            actions,
            mut buffer,
        } => {
            let started = Instant::now();
            let outcome = envs.step(actions.as_batch(), buffer.view_mut());
            finish(outcome, started, actions, buffer)
        }
        ShardJob::Reset {
            seed,
            actions,
            mut buffer,
        } => {
            let started = Instant::now();
            let outcome = envs.reset(seed, buffer.view_mut()).map(|()| 0);
            finish(outcome, started, actions, buffer)
        }
        ShardJob::Snapshot => ShardReply::Snapshot(envs.snapshot()),
        ShardJob::Restore(snapshot) => ShardReply::Restored(envs.restore(&snapshot)),
    }
}

fn finish(
    outcome: Result<usize, EnvError>,
    started: Instant,
    actions: OwnedActions,
    buffer: Batch,
) -> ShardReply {
    ShardReply::Stepped(match outcome {
        Ok(transitions) => Ok(Stepped {
            actions,
            buffer,
            transitions,
            compute: started.elapsed(),
        }),
        Err(error) => Err(ShardError {
            error,
            actions,
            buffer,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use agora_agents::{AutoresetMode, Env, Params, Space, make_vec};

    /// CartPole that panics on every step, as a buggy custom env would.
    struct PanicsOnStep(Box<dyn VectorEnv>);

    impl VectorEnv for PanicsOnStep {
        fn id(&self) -> &str {
            self.0.id()
        }
        fn num_envs(&self) -> usize {
            self.0.num_envs()
        }
        fn first_index(&self) -> u64 {
            self.0.first_index()
        }
        fn obs_dim(&self) -> usize {
            self.0.obs_dim()
        }
        fn observation_space(&self) -> &Space {
            self.0.observation_space()
        }
        fn action_space(&self) -> &Space {
            self.0.action_space()
        }
        fn autoreset_mode(&self) -> AutoresetMode {
            self.0.autoreset_mode()
        }
        fn reset(
            &mut self,
            seed: Option<u64>,
            out: agora_agents::BatchMut<'_>,
        ) -> Result<(), EnvError> {
            self.0.reset(seed, out)
        }
        fn step(
            &mut self,
            _: ActionBatch<'_>,
            _: agora_agents::BatchMut<'_>,
        ) -> Result<usize, EnvError> {
            panic!("pole fell through the floor")
        }
        fn env(&self, i: usize) -> Option<&dyn Env> {
            self.0.env(i)
        }
        fn env_mut(&mut self, i: usize) -> Option<&mut dyn Env> {
            self.0.env_mut(i)
        }
        fn snapshot(&self) -> Result<VecEnvSnapshot, EnvError> {
            self.0.snapshot()
        }
        fn restore(&mut self, snapshot: &VecEnvSnapshot) -> Result<(), EnvError> {
            self.0.restore(snapshot)
        }
    }

    fn reset_job() -> ShardJob {
        ShardJob::Reset {
            seed: Some(1),
            actions: OwnedActions::Discrete(vec![0; 3]),
            buffer: Batch::new(3, 4),
        }
    }

    fn step_job() -> ShardJob {
        ShardJob::Step {
            actions: OwnedActions::Discrete(vec![0; 3]),
            buffer: Batch::new(3, 4),
        }
    }

    #[test]
    fn a_panicking_env_loses_its_shard_with_the_panic_message_and_the_thread_still_stops() {
        let envs = make_vec("CartPole-v1", &Params::new(), 0..3, AutoresetMode::NextStep)
            .expect("CartPole");
        let shard =
            EnvShard::start("test-shard".into(), Box::new(PanicsOnStep(envs))).expect("thread");
        futures::executor::block_on(async {
            shard.send(reset_job());
            assert!(matches!(shard.answer().await, ShardReply::Stepped(Ok(_))));
            for _ in 0..2 {
                shard.send(step_job());
                match shard.answer().await {
                    ShardReply::Gone(why) => {
                        assert!(why.contains("pole fell through the floor"), "{why}")
                    }
                    other => panic!("expected Gone, got {other:?}"),
                }
            }
        });
        // Dropping joins the thread; the test would hang if it did not stop.
        drop(shard);
    }

    #[test]
    fn a_shard_answers_after_sleeping_past_its_spin() {
        let envs = make_vec("CartPole-v1", &Params::new(), 0..3, AutoresetMode::NextStep)
            .expect("CartPole");
        let shard = EnvShard::start("test-shard".into(), envs).expect("thread");
        futures::executor::block_on(async {
            std::thread::sleep(WORKER_SPIN * 10);
            shard.send(reset_job());
            assert!(matches!(shard.answer().await, ShardReply::Stepped(Ok(_))));
            for _ in 0..3 {
                // Long enough that the thread has parked.
                std::thread::sleep(WORKER_SPIN * 10);
                shard.send(step_job());
                match shard.answer().await {
                    ShardReply::Stepped(Ok(stepped)) => assert_eq!(stepped.transitions, 3),
                    other => panic!("expected a step, got {other:?}"),
                }
            }
        });
    }
}
