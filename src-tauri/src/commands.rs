//! The commands the UI may invoke. Each one only forwards to the engine.

use crate::AppState;
use guestpass_core::{ChangeRecord, ConnectionInfo, InviteOutcome, InviteRequest, Problem};
use std::sync::Arc;
use tauri::State;

#[tauri::command]
pub async fn connection_info(state: State<'_, Arc<AppState>>) -> Result<ConnectionInfo, Problem> {
    Ok(state.engine().await?.info().clone())
}

#[tauri::command]
pub async fn invite_guest(state: State<'_, Arc<AppState>>, request: InviteRequest) -> Result<InviteOutcome, Problem> {
    state.engine().await?.invite_guest(&request).await
}

#[tauri::command]
pub async fn recent_changes(state: State<'_, Arc<AppState>>, limit: u32) -> Result<Vec<ChangeRecord>, Problem> {
    let engine = state.engine().await?;
    tauri::async_runtime::spawn_blocking(move || engine.recent_changes(limit))
        .await
        .map_err(Problem::local)?
}
