//! The UI's types are generated from the Rust types. This test fails when
//! `ui/src/backend/types.ts` is stale; `make bindings` (UPDATE_BINDINGS=1) rewrites it.

use std::path::PathBuf;

fn generated() -> String {
    let mut out = String::from(
        "// Generated from the Rust types by `make bindings` (guestpass-core's typescript_bindings test).\n// Do not edit by hand.\n\n",
    );
    for decl in guestpass_core::typescript_declarations() {
        out.push_str("export ");
        out.push_str(decl.trim());
        out.push_str("\n\n");
    }
    out.trim_end().to_string() + "\n"
}

#[test]
fn typescript_bindings_are_fresh() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../ui/src/backend/types.ts");
    let want = generated();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &want).expect("writing types.ts");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "ui/src/backend/types.ts is stale: run `make bindings` and commit the result"
    );
}
