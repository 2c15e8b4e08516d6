//! The Guestpass desktop shell: starts the engine and wires Tauri commands to it.
//! All the work happens in the Tauri-free crates under `src-tauri/crates/`.

#![allow(clippy::result_large_err)] // see guestpass-core: `Problem` is passed by value on purpose

mod commands;
mod dialogs;
mod log;
mod memory;

use guestpass_core::bulk::RunControl;
use guestpass_core::{ConnectionConfig, Engine, Problem};
use std::collections::HashMap;
use std::sync::Arc;
use tauri::Manager;
use tokio::sync::Mutex;

/// The engine, connected at start-up. A failed connection (say, no network) is not kept:
/// the next command tries again.
pub struct AppState {
    engine: Mutex<Option<Arc<Engine>>>,
    /// How to connect: from the environment at start, then whatever the admin switches to.
    settings: std::sync::Mutex<Result<ConnectionConfig, String>>,
    /// Engines switched away from that serve an embedded sandbox, kept so the sandbox keeps
    /// answering (a profile signed in to it points there).
    kept: Mutex<Vec<Arc<Engine>>>,
    /// Pause/resume/cancel switches of the bulk runs in progress, by run id.
    runs: std::sync::Mutex<HashMap<i64, Arc<RunControl>>>,
    /// Cancels the sign-in waiting on the admin, if any.
    sign_in_cancel: std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    /// Stops the guest-list check against the tenant in progress, if any.
    preview_control: std::sync::Mutex<Arc<RunControl>>,
    /// Cancels the Protect pre-flight in progress.
    preflight_control: std::sync::Mutex<Arc<RunControl>>,
    /// Stops the pull of Microsoft's logs in progress.
    audit_pull_control: std::sync::Mutex<Arc<RunControl>>,
}

impl AppState {
    /// The run's switches (made on first use, so a pause can arrive before the run starts).
    fn run_control(&self, run_id: i64) -> Arc<RunControl> {
        let mut runs = self.runs.lock().unwrap_or_else(|p| p.into_inner());
        runs.entry(run_id).or_default().clone()
    }

    fn settings(&self) -> Result<ConnectionConfig, String> {
        self.settings.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The data folder (for sign-in and profiles), whatever the connection.
    fn data_dir(&self) -> std::path::PathBuf {
        match self.settings() {
            Ok(s) => s.data_dir,
            Err(_) => guestpass_core::data_dir_from_env(),
        }
    }

    /// Switches to another tenant: later commands use `engine`, a reconnect uses `settings`,
    /// and the next start opens on it.
    async fn switch(&self, settings: ConnectionConfig, engine: Engine) -> Arc<Engine> {
        let chosen = match settings.connection {
            guestpass_core::Connection::Profile(id) => Some(id),
            _ => None,
        };
        if let Err(p) = guestpass_core::sign_in::remember_choice(&settings.data_dir, chosen) {
            tracing::warn!("the tenant in use could not be remembered: {}", p.message);
        }
        *self.settings.lock().unwrap_or_else(|p| p.into_inner()) = Ok(settings);
        let engine = Arc::new(engine);
        let previous = self.engine.lock().await.replace(engine.clone());
        if let Some(old) = previous.filter(|e| e.info().mode == guestpass_core::ConnectionMode::Sandbox) {
            self.kept.lock().await.push(old);
        }
        engine
    }

    fn forget_run(&self, run_id: i64) {
        self.runs.lock().unwrap_or_else(|p| p.into_inner()).remove(&run_id);
    }

    async fn engine(&self) -> Result<Arc<Engine>, Problem> {
        let mut engine = self.engine.lock().await;
        if let Some(e) = engine.as_ref() {
            return Ok(e.clone());
        }
        let settings = self.settings().map_err(|message| Problem {
            kind: guestpass_core::ProblemKind::Invalid,
            message,
            hint: "Fix the GUESTPASS_* environment variables and restart Guestpass.".into(),
            fields: vec![],
            code: None,
            request_id: None,
        })?;
        let connected = Arc::new(Engine::connect(settings).await?);
        *engine = Some(connected.clone());
        Ok(connected)
    }
}

pub fn run() {
    memory::before_webkit_starts();
    let started = std::time::Instant::now();
    let _log = log::init();
    let env = |k: &str| std::env::var(k).ok();
    let data_dir = guestpass_core::data_dir_from_env();
    let state = Arc::new(AppState {
        engine: Mutex::new(None),
        settings: std::sync::Mutex::new(ConnectionConfig::for_app_start(env)),
        runs: Default::default(),
        kept: Mutex::new(Vec::new()),
        sign_in_cancel: Default::default(),
        preview_control: Default::default(),
        preflight_control: Default::default(),
        audit_pull_control: Default::default(),
    });
    // The window asks for the connection as soon as it loads; that first command connects.
    tauri::Builder::default()
        // First: a second launch hands over to this one and ends.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tracing::info!("a second launch: showing this window instead");
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        // Practice sign-ins to the last run's built-in sandbox ended with it. Only in the
        // instance that stays (a second launch has handed over and ended by now).
        .setup(move |_| {
            tauri::async_runtime::block_on(async {
                if let Err(p) = guestpass_core::sign_in::forget_practice_sign_ins(&data_dir).await {
                    tracing::warn!("old practice sign-ins could not be removed: {}", p.message);
                }
            });
            Ok(())
        })
        // How long the first screen took (`make bench` reads it from the log).
        .on_page_load(move |_, page| {
            static FIRST: std::sync::Once = std::sync::Once::new();
            if page.event() == tauri::webview::PageLoadEvent::Finished {
                FIRST.call_once(|| tracing::info!(ms = started.elapsed().as_millis() as u64, "first screen loaded"));
            }
        })
        .manage(state)
        // Every command of commands.rs (the build script lists them).
        .invoke_handler(include!(concat!(env!("OUT_DIR"), "/command_handler.rs")))
        .run(tauri::generate_context!())
        .expect("error while running Guestpass");
}
