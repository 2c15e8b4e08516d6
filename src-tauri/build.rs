fn main() {
    // Only the commands listed here can be invoked, and only where a capability allows them.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "connection_info",
        "invite_guest",
        "query_changes",
        "count_changes",
        "history_tenants",
        "verify_history",
        "export_history",
        "undo_change",
        "onboarding_activity",
        "read_settings",
        "plan_settings",
        "apply_settings",
        "google_federation",
        "set_up_google",
        "guest_summary",
        "set_profile",
        "countries",
        "default_usage_location",
        "set_default_usage_location",
        "license_options",
        "assign_license",
        "search_groups",
        "add_to_group",
        "check_guest",
        "environments",
        "environment_roles",
        "assign_dataverse_role",
    ]);
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(manifest),
    )
    .expect("tauri build script failed");
}
