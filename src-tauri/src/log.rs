//! Where Guestpass logs: a file support can ask for (the platform's log folder, rotated daily,
//! a week kept, INFO unless `GUESTPASS_LOG` says otherwise) and stderr (warnings). Secrets never
//! reach either: the engine logs no token, secret or key (tests scan the file for them).

use std::path::PathBuf;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// The app's identifier (tauri.conf.json), which names its folders.
const IDENTIFIER: &str = "app.guestpass.desktop";

/// The platform's folder for this app's logs: `~/.local/share/app.guestpass.desktop/logs` on
/// Linux, `~/Library/Logs/app.guestpass.desktop` on macOS, `%LOCALAPPDATA%\app.guestpass.desktop\logs`
/// on Windows (where Tauri's own `app_log_dir` points).
pub fn log_dir() -> Option<PathBuf> {
    if cfg!(target_os = "macos") {
        return dirs::home_dir().map(|h| h.join("Library/Logs").join(IDENTIFIER));
    }
    dirs::data_local_dir().map(|d| d.join(IDENTIFIER).join("logs"))
}

/// Starts logging; the returned guard flushes the file when the app ends.
pub fn init() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let filter = |default: &str| EnvFilter::try_from_env("GUESTPASS_LOG").unwrap_or_else(|_| default.into());
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter("warn"));
    let file = log_dir().and_then(|dir| {
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("guestpass")
            .filename_suffix("log")
            .max_log_files(7)
            .build(&dir)
            .map_err(|e| eprintln!("Guestpass cannot write its log in {}: {e}", dir.display()))
            .ok()
    });
    let (file_layer, guard) = match file {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .with_ansi(false)
                .with_filter(filter("info"));
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    tracing_subscriber::registry().with(stderr).with(file_layer).init();
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "Guestpass started");
    guard
}
