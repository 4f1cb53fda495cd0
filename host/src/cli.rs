//! The `boomgate` command line: build and check policy modules, evaluate an
//! event with one, print its fees, run the service, administer it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use boomgate_engine::sdk::Input;
use boomgate_engine::{ConfigureError, ConfiguredPolicy, Engine, EngineConfig, LoadedPolicy};
use clap::{Parser, Subcommand};

use crate::db;
use crate::service::{AppState, Clock, Config, admin, demo, shipped};

/// A WebAssembly-pluggable rules engine for parking lots.
#[derive(Debug, Parser)]
#[command(name = "boomgate", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build, check and export policy modules.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Decide one event with a policy module and print the decision as JSON.
    /// Exits 3 when the policy faulted (the fallback decision is printed).
    Eval {
        /// The policy module (`.wasm` component).
        #[arg(long)]
        policy: PathBuf,
        /// The policy's settings (JSON).
        #[arg(long)]
        settings: PathBuf,
        /// The policy input (JSON: `event` and `vehicle`); `-` reads it
        /// from standard input.
        #[arg(long)]
        input: PathBuf,
        /// Also print whether the policy faulted and the work it did.
        #[arg(long)]
        detailed: bool,
    },
    /// Print a policy's fee schedule as text.
    Fees {
        #[arg(long)]
        policy: PathBuf,
        #[arg(long)]
        settings: PathBuf,
        /// `zh-CN`, `ko-KR`, `en`; the settings' own locale when absent.
        #[arg(long)]
        locale: Option<String>,
    },
    /// Compile one module for the service (its compile worker): the
    /// engine's configuration and the module on standard input, the
    /// compiled artifact on standard output.
    #[command(hide = true)]
    CompileWorker {
        /// The memory the compile may allocate, in bytes.
        #[arg(long)]
        memory_bytes: u64,
    },
    /// Run the service.
    Serve {
        /// A TOML configuration file (see `boomgate.example.toml`); every
        /// key may also be set as `BOOMGATE_<KEY>`.
        #[arg(long, env = "BOOMGATE_CONFIG")]
        config: Option<PathBuf>,
        /// The database: `sqlite://FILE` (default `sqlite://boomgate.db`) or `postgres://...`.
        #[arg(long, env = "BOOMGATE_DB")]
        db: Option<String>,
        /// Where to listen (default 127.0.0.1:8080).
        #[arg(long, env = "BOOMGATE_LISTEN")]
        listen: Option<SocketAddr>,
        /// How to log: `text` (default) or `json`, one object per line with
        /// each request's method, route, status, latency and id.
        #[arg(long, env = "BOOMGATE_LOG_FORMAT", value_enum)]
        log_format: Option<crate::service::config::LogFormat>,
    },
    /// Print the API's OpenAPI 3.1 document (as `GET /openapi.json` serves
    /// it), for client generators and contract checks.
    Openapi,
    /// Load a running service's gate loop at a constant rate and report
    /// throughput and latency percentiles corrected for coordinated omission.
    ///
    /// Each vehicle enters, is read again (a duplicate), and leaves: half
    /// free after ten minutes, half after two hours, held with a fee, paying
    /// the quoted amount and read again. The run adds its gates and robots
    /// to the lot with the owner's token. The demo lot's tokens fit:
    ///
    ///   boomgate loadtest --url http://127.0.0.1:8080 --lot demo \
    ///     --owner-token bgo_… --payments-token bgp_… \
    ///     --rate 2000 --seconds 20 --connections 64
    #[command(verbatim_doc_comment)]
    Loadtest {
        /// A service's base URL; give it twice or more for several hosts on
        /// one database (the workers are spread over them).
        #[arg(long = "url", required = true)]
        urls: Vec<String>,
        /// The lot the tokens are for.
        #[arg(long)]
        lot: String,
        /// The lot owner's token: the run adds its own gates and robots.
        #[arg(long, env = "BOOMGATE_LOAD_OWNER_TOKEN")]
        owner_token: String,
        /// The payment system's token for the lot.
        #[arg(long, env = "BOOMGATE_LOAD_PAYMENTS_TOKEN")]
        payments_token: String,
        /// Requests per second, on a fixed schedule.
        #[arg(long, default_value_t = 1000)]
        rate: u32,
        /// How long to send.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Concurrent requests at most.
        #[arg(long, default_value_t = 64)]
        connections: usize,
        /// Entry and exit gate pairs to add (a robot at each); each
        /// connection drives one pair. Default: one per connection.
        #[arg(long)]
        gates: Option<usize>,
        /// The first vehicle's number (another run on the same lot starts
        /// past the last one's plates).
        #[arg(long, default_value_t = 0)]
        first_plate: u64,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Administer the service's database.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Work with tariffs (the standard lot's `fees`).
    #[command(subcommand)]
    Tariff(TariffCommand),
}

#[derive(Debug, Subcommand)]
enum TariffCommand {
    /// Turn an APDS rate table (a `RateTable` with one
    /// `RateLineCollection`) into standard-lot settings: prints
    /// `{"currency", "fees"}` to merge into a lot's settings, and notes on
    /// stderr; refuses, naming the JSON path, what a tariff cannot express.
    Import {
        /// The APDS `RateTable` (JSON).
        #[arg(long)]
        apds: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// Build a policy crate into a component.
    Build {
        /// The policy crate (the folder with its Cargo.toml).
        crate_dir: PathBuf,
        /// Where to write the component.
        #[arg(long)]
        out: PathBuf,
        /// Build in this folder instead of the crate's target folder.
        #[arg(long)]
        target_dir: Option<PathBuf>,
    },
    /// Validate a module (and settings); print its interface version and
    /// settings schema.
    Check {
        /// The policy module.
        module: PathBuf,
        /// Settings to check against the module.
        #[arg(long)]
        settings: Option<PathBuf>,
    },
    /// Write a policy shipped with this binary to a file.
    Export {
        /// `standard-lot`.
        name: String,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create a lot owner and print their token.
    CreateOwner {
        /// The database (`sqlite://FILE` or `postgres://...`).
        #[arg(long, env = "BOOMGATE_DB", default_value = "sqlite://boomgate.db")]
        db: String,
        /// A file holding the PostgreSQL password, kept out of the URL.
        #[arg(long, env = "BOOMGATE_DB_PASSWORD_FILE")]
        db_password_file: Option<PathBuf>,
        /// The owner's name.
        #[arg(long)]
        name: String,
        /// The owner's phone number: they log in to the console with it
        /// and a code sent to it.
        #[arg(long)]
        phone: Option<String>,
    },
}

/// Runs the command line; errors go to stderr with a non-zero exit.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // A reader that stopped reading (`| head`) is not an error.
        Err(e) if broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The exit status of `eval` when the policy faulted.
const EXIT_POLICY_FAULTED: u8 = 3;

fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Writes a line to standard output, failing (rather than panicking as
/// `println!` does) when nothing reads it any more.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?;
    }};
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Policy(PolicyCommand::Build {
            crate_dir,
            out,
            target_dir,
        }) => {
            let mut build = boomgate_toolchain::Build::new(&crate_dir)?;
            if let Some(dir) = target_dir {
                build = build.target_dir(dir);
            }
            let component = build.run()?;
            write(&out, &component)?;
            eprintln!("built `{}` ({} bytes)", out.display(), component.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Policy(PolicyCommand::Check { module, settings }) => {
            check(&module, settings.as_deref())
        }
        Command::Policy(PolicyCommand::Export { name, out }) => {
            let bytes = shipped::module(&name).ok_or_else(|| {
                anyhow::anyhow!(
                    "no shipped policy `{name}` (shipped: {})",
                    shipped::names().join(", ")
                )
            })?;
            write(&out, bytes)?;
            eprintln!("wrote `{}` ({} bytes)", out.display(), bytes.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval {
            policy,
            settings,
            input,
            detailed,
        } => {
            let configured = configured(&policy, &settings)?;
            let input = read_input(&input)?;
            let evaluation = configured.evaluate_detailed(&input);
            if let Some(fault) = &evaluation.fault {
                eprintln!(
                    "warning: the policy failed ({}): {fault}; this is the fallback decision",
                    fault.kind()
                );
            }
            let out = if detailed {
                serde_json::json!({
                    "decision": evaluation.decision,
                    "fault": evaluation.fault.as_ref().map(ToString::to_string),
                    "fuel": evaluation.fuel,
                })
            } else {
                serde_json::to_value(&evaluation.decision)?
            };
            say!("{}", serde_json::to_string_pretty(&out)?);
            Ok(if evaluation.fault.is_some() {
                ExitCode::from(EXIT_POLICY_FAULTED)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Fees {
            policy,
            settings,
            locale,
        } => {
            let configured = configured(&policy, &settings)?;
            say!("{}", configured.fee_schedule(locale.as_deref())?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            config,
            db,
            listen,
            log_format,
        } => {
            let mut config = Config::load(config.as_deref())?;
            if let Some(db) = db {
                config.db = db;
            }
            if let Some(listen) = listen {
                config.listen = listen;
            }
            if let Some(format) = log_format {
                config.log_format = format;
            }
            if config.compile_worker.is_none() {
                // Compiles run in this very binary's `compile-worker`.
                config.compile_worker = std::env::current_exe().ok();
            }
            runtime()?.block_on(serve(config))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::CompileWorker { memory_bytes } => crate::service::worker::run(memory_bytes),
        Command::Loadtest {
            urls,
            lot,
            owner_token,
            payments_token,
            rate,
            seconds,
            connections,
            gates,
            first_plate,
            json,
        } => {
            let options = crate::loadtest::Options {
                urls: urls
                    .into_iter()
                    .map(|u| u.trim_end_matches('/').to_owned())
                    .collect(),
                lot,
                owner_token,
                payments_token,
                gates: gates.unwrap_or(connections),
                rate,
                duration: std::time::Duration::from_secs(seconds),
                connections,
                first_plate,
            };
            let report = runtime()?.block_on(crate::loadtest::run(options))?;
            if json {
                say!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                say!("{report}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi => {
            let doc = crate::api::openapi(&Config::default());
            say!("{}", serde_json::to_string_pretty(&doc)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Tariff(TariffCommand::Import { apds }) => {
            let text = std::fs::read_to_string(&apds)
                .with_context(|| format!("cannot read `{}`", apds.display()))?;
            let doc: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("`{}` is not JSON", apds.display()))?;
            match crate::domain::apds::import(&doc) {
                Ok(imported) => {
                    for note in &imported.notes {
                        eprintln!("note: {note}");
                    }
                    let out =
                        serde_json::json!({ "currency": imported.currency, "fees": imported.fees });
                    say!("{}", serde_json::to_string_pretty(&out)?);
                    Ok(ExitCode::SUCCESS)
                }
                Err(refused) => {
                    eprintln!("error: `{}` cannot be imported: {refused}", apds.display());
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Admin(AdminCommand::CreateOwner {
            db,
            db_password_file,
            name,
            phone,
        }) => {
            let url = match &db_password_file {
                Some(file) => crate::service::config::with_password_file(&db, file)?,
                None => db,
            };
            let token = runtime()?.block_on(create_owner(&url, &name, phone.as_deref()))?;
            say!("{token}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write `{}`", path.display()))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn load(path: &Path) -> anyhow::Result<LoadedPolicy> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let engine = Engine::new(EngineConfig {
        spares_per_policy: 0,
        ..EngineConfig::default()
    })?;
    engine.load(&bytes).with_context(|| {
        format!(
            "`{}` is not a policy module this host can run",
            path.display()
        )
    })
}

fn configure(policy: &LoadedPolicy, path: &Path) -> anyhow::Result<ConfiguredPolicy> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    policy.configure(&text).map_err(|e| match e {
        ConfigureError::Invalid(fields) => {
            let lines: Vec<String> = fields.iter().map(|f| format!("  {f}")).collect();
            anyhow::anyhow!(
                "settings `{}` are invalid:\n{}",
                path.display(),
                lines.join("\n")
            )
        }
        other => anyhow::anyhow!("settings `{}`: {other}", path.display()),
    })
}

fn configured(policy: &Path, settings: &Path) -> anyhow::Result<ConfiguredPolicy> {
    configure(&load(policy)?, settings)
}

fn read_input(path: &Path) -> anyhow::Result<Input> {
    let text = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin())
            .context("cannot read the input from standard input")?
    } else {
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read `{}`", path.display()))?
    };
    let mut de = serde_json::Deserializer::from_str(&text);
    let input: Input = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path_in = e.path().to_string();
        anyhow::anyhow!(
            "input `{}`: `{path_in}`: {}",
            path.display(),
            e.into_inner()
        )
    })?;
    de.end()
        .map_err(|e| anyhow::anyhow!("input `{}`: {e}", path.display()))?;
    Ok(input)
}

fn check(module: &Path, settings: Option<&Path>) -> anyhow::Result<ExitCode> {
    let policy = load(module)?;
    let info = policy.info();
    say!(
        "module:     {} {} (rules SDK {})",
        info.name,
        info.version,
        info.sdk_version
    );
    say!(
        "interface:  boomgate:policy/policy@{}",
        info.interface_version
    );
    say!("digest:     sha256:{}", info.digest);
    say!("size:       {} bytes", info.size);
    say!("locales:    {}", info.locales.join(", "));
    if let Some(path) = settings {
        configure(&policy, path)?;
        say!("settings:   `{}` valid", path.display());
    }
    say!(
        "settings schema:\n{}",
        serde_json::to_string_pretty(&info.settings_schema)?
    );
    Ok(ExitCode::SUCCESS)
}

async fn create_owner(url: &str, name: &str, phone: Option<&str>) -> anyhow::Result<String> {
    let phone = phone
        .map(|raw| {
            crate::api::fields::phone("phone", raw).map_err(|_| {
                anyhow::anyhow!("--phone `{raw}` is not a phone number (5 to 20 digits)")
            })
        })
        .transpose()?;
    let db = db::Db::connect(url).await?;
    if let Some(phone) = &phone
        && db::people::person_by_phone(db.pool(), phone)
            .await?
            .is_some()
    {
        anyhow::bail!("{phone} is someone's number already");
    }
    let now = jiff::Timestamp::now().as_millisecond();
    let (id, token) = admin::create_owner(&db, name, now).await?;
    match phone {
        Some(phone) => {
            admin::add_owner_person(&db, &id, name, &phone, now).await?;
            eprintln!(
                "created owner `{id}` ({name}), who logs in with {phone} and a code; their token:"
            );
        }
        None => eprintln!("created owner `{id}` ({name}); their token:"),
    }
    Ok(token)
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log_format {
        crate::service::config::LogFormat::Text => logs.init(),
        crate::service::config::LogFormat::Json => logs
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
    let listen = config.listen;
    let metrics_listen = config.metrics_listen;
    let demo = config.demo;
    let state = AppState::new(config, Clock::system()).await?;
    if demo && let Some(demo) = demo::create_if_empty(&state).await? {
        say!(
            "boomgate: created the demo lot `{}` with the standard policy active",
            demo.lot
        );
        say!("  owner token:       {}", demo.owner_token);
        say!(
            "  entry robot token: {}   (gate north-entry)",
            demo.entry_robot_token
        );
        say!(
            "  exit robot token:  {}   (gate north-exit)",
            demo.exit_robot_token
        );
        say!("  agent token:       {}", demo.agent_token);
        say!("  payments token:    {}", demo.payments_token);
        say!(
            "  people:            operator {}, agent {}: log in at /console with the code that appears in this log",
            crate::service::demo::DEMO_OWNER_PHONE,
            crate::service::demo::DEMO_AGENT_PHONE
        );
        say!("  tokens are shown once and stored hashed");
    }
    state.spawn_refresher();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let bound = listener.local_addr().unwrap_or(listen);
    tracing::info!("listening on http://{bound} (the console: http://{bound}/console)");
    if let Some(address) = metrics_listen {
        let metrics = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen on {address} (metrics_listen)"))?;
        let bound = metrics.local_addr().unwrap_or(address);
        tracing::info!("metrics on http://{bound}/metrics");
        let app = crate::api::metrics_app(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(metrics, app)
                .with_graceful_shutdown(shutdown())
                .await
            {
                tracing::error!(error = %e, "the metrics listener failed");
            }
        });
    }
    axum::serve(
        listener,
        crate::api::app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .context("the server failed")
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
