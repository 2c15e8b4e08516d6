//! The operating system's Save and Open dialogs (the official dialog plugin), asked from Rust
//! so that a command only ever reads or writes a path the admin chose.
//!
//! End-to-end tests cannot drive a native dialog over WebDriver: when
//! `GUESTPASS_TEST_DIALOG_ANSWER` names a file, the dialog is not shown and that file's first
//! line is the answer instead (a path, or empty for Cancel).

use std::path::PathBuf;
use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

/// A file type the dialog offers, e.g. ("CSV", ["csv"]).
pub struct Filter<'a> {
    pub name: &'a str,
    pub extensions: &'a [&'a str],
}

fn test_answer() -> Option<Option<PathBuf>> {
    let file = std::env::var_os("GUESTPASS_TEST_DIALOG_ANSWER")?;
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let line = text.lines().next().unwrap_or("").trim().to_string();
    Some((!line.is_empty()).then(|| PathBuf::from(line)))
}

/// Where to save `default_name`: the native Save dialog, starting in Downloads. `None` when
/// the admin cancels.
pub async fn save_path(app: &AppHandle, title: &str, default_name: &str, filter: Filter<'_>) -> Option<PathBuf> {
    if let Some(answer) = test_answer() {
        // A folder as the answer stands for "Save" with the suggested name.
        return answer.map(|p| if p.is_dir() { p.join(default_name) } else { p });
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app
        .dialog()
        .file()
        .set_title(title)
        .set_file_name(default_name)
        .add_filter(filter.name, filter.extensions);
    if let Some(downloads) = dirs::download_dir().filter(|d| d.is_dir()) {
        dialog = dialog.set_directory(downloads);
    }
    dialog.save_file(move |chosen| {
        let _ = tx.send(chosen.and_then(|p| p.into_path().ok()));
    });
    rx.await.ok().flatten()
}

/// Which file to open: the native Open dialog. `None` when the admin cancels.
pub async fn open_path(app: &AppHandle, title: &str, filter: Filter<'_>) -> Option<PathBuf> {
    if let Some(answer) = test_answer() {
        return answer;
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title(title)
        .add_filter(filter.name, filter.extensions)
        .pick_file(move |chosen| {
            let _ = tx.send(chosen.and_then(|p| p.into_path().ok()));
        });
    rx.await.ok().flatten()
}
