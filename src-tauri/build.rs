fn main() {
    // Only the commands listed here can be invoked, and only where a capability allows them.
    let manifest = tauri_build::AppManifest::new().commands(&["connection_info", "invite_guest", "recent_changes"]);
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(manifest),
    )
    .expect("tauri build script failed");
}
