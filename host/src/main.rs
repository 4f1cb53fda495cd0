//! `boomgate`: see [`boomgate_host::cli`].

fn main() -> std::process::ExitCode {
    boomgate_host::cli::main()
}
