//! Compiling a module in a process of its own: `boomgate compile-worker`,
//! which the service starts for each compile. The process's data segment
//! is capped at `compile_memory_mib` above what its engine holds once
//! built, and it is killed when `compile_budget_seconds` run out, so a
//! hostile upload costs at most that much memory and time, and a compile
//! that blows up takes nothing else down with it. The worker sends back
//! the compiled artifact over a pipe; only an artifact from a worker this
//! host started is ever loaded.
//!
//! The protocol: standard input carries the engine's configuration (one
//! line of JSON) and then the module; standard output the artifact; exit
//! status 0 when compiled, [`EXIT_REFUSED`] with the reason on standard
//! error when the module does not compile.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use boomgate_engine::{Engine, EngineConfig};
use tokio::io::AsyncWriteExt;

/// The worker's exit status when the module does not compile.
pub const EXIT_REFUSED: u8 = 2;

/// Why a worker gave no artifact.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The worker could not be started at all.
    #[error("cannot start the compile worker `{program}`: {error}")]
    Spawn {
        program: String,
        error: std::io::Error,
    },
    /// The module does not compile.
    #[error("{0}")]
    Refused(String),
    /// The compile needed more memory than its budget.
    #[error("out of memory")]
    OverMemory,
    /// The compile ran past its time budget and was killed.
    #[error("out of time")]
    OverBudget,
    /// The worker failed otherwise (a crash, a broken pipe).
    #[error("the compile worker failed: {0}")]
    Failed(String),
}

/// Compiles `bytes` in a worker started from `program`, under `memory`
/// bytes and within `budget`.
pub async fn compile(
    program: &Path,
    engine: &EngineConfig,
    memory: u64,
    bytes: &[u8],
    budget: Duration,
) -> Result<Vec<u8>, WorkerError> {
    let mut child = tokio::process::Command::new(program)
        .arg("compile-worker")
        .arg("--memory-bytes")
        .arg(memory.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A compile abandoned at its budget (or with its upload) is killed.
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| WorkerError::Spawn {
            program: program.display().to_string(),
            error,
        })?;
    let mut header = serde_json::to_vec(engine).map_err(|e| WorkerError::Failed(e.to_string()))?;
    header.push(b'\n');
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| WorkerError::Failed("no pipe to the worker".into()))?;
    let input = async move {
        stdin.write_all(&header).await?;
        stdin.write_all(bytes).await?;
        stdin.shutdown().await
    };
    // The worker may die before reading everything: its status says why.
    let run = async { tokio::join!(input, child.wait_with_output()) };
    let (written, output) = tokio::time::timeout(budget, run)
        .await
        .map_err(|_| WorkerError::OverBudget)?;
    let output = output.map_err(|e| WorkerError::Failed(e.to_string()))?;
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    if output.status.success() {
        written.map_err(|e| WorkerError::Failed(format!("writing the module: {e}")))?;
        return Ok(output.stdout);
    }
    if out_of_memory(&stderr) {
        return Err(WorkerError::OverMemory);
    }
    match output.status.code() {
        Some(code) if code == i32::from(EXIT_REFUSED) => Err(WorkerError::Refused(stderr)),
        _ => Err(WorkerError::Failed(format!("{} ({stderr})", output.status))),
    }
}

/// Whether a worker's last words say it ran out of memory: Rust's
/// allocation failure, or an `mmap` refused by the limit.
fn out_of_memory(stderr: &str) -> bool {
    [
        "memory allocation of",
        "Cannot allocate memory",
        "out of memory",
    ]
    .iter()
    .any(|sign| stderr.contains(sign))
}

/// The worker's side: reads the engine's configuration and the module,
/// builds the engine, caps the memory still to be used at `memory` bytes,
/// compiles and writes the artifact.
pub fn run(memory: u64) -> anyhow::Result<ExitCode> {
    lower_priority();
    let mut input = Vec::new();
    std::io::stdin().lock().read_to_end(&mut input)?;
    let split = input
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| anyhow::anyhow!("no engine configuration on standard input"))?;
    let config: EngineConfig = serde_json::from_slice(&input[..split])?;
    let bytes = &input[split + 1..];
    let engine = Engine::new(config)?;
    cap_memory(memory)?;
    match engine.precompile(bytes) {
        Ok(artifact) => {
            let mut out = std::io::stdout().lock();
            out.write_all(&artifact)?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{e}");
            Ok(ExitCode::from(EXIT_REFUSED))
        }
    }
}

/// Limits the process's data (its heap and private writable mappings) to
/// what it holds now plus `memory` bytes.
fn cap_memory(memory: u64) -> anyhow::Result<()> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let held_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmData:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no VmData in /proc/self/status"))?;
    let limit = libc::rlimit {
        rlim_cur: held_kib * 1024 + memory,
        rlim_max: held_kib * 1024 + memory,
    };
    // SAFETY: `setrlimit` reads the one struct passed by reference, which
    // lives across the call; it changes only this process's limit.
    #[allow(unsafe_code)]
    let set = unsafe { libc::setrlimit(libc::RLIMIT_DATA, &limit) };
    if set != 0 {
        anyhow::bail!(
            "cannot limit the compile's memory: {}",
            std::io::Error::last_os_error()
        );
    }
    Ok(())
}

/// Puts the worker at the lowest CPU priority (nice 19): robots' decisions
/// get the cores first. Best effort.
fn lower_priority() {
    // SAFETY: `setpriority` takes plain integers and touches no memory of
    // ours; `who` 0 is this process.
    #[allow(unsafe_code)]
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
}
