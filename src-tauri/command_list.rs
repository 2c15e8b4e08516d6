// The Tauri commands, read from `src-tauri/src/commands.rs` — the one place they are listed.
// The build script turns them into the invoke handler, their permissions and the window's
// capability; guestpass-core's `typescript_bindings` test turns them into the UI's typed
// client (`ui/src/backend/commands.ts`). Included by both (`include!`), so it stays plain.

/// One `#[tauri::command]` function: its name, doc comment, parameters (name and Rust type,
/// the injected `state` left out) and what it answers (`Result<T>` unwrapped to `T`).
#[allow(dead_code)] // the build script reads only the names
pub struct CommandSignature {
    pub name: String,
    pub doc: Vec<String>,
    pub params: Vec<(String, String)>,
    pub returns: String,
}

/// Splits `text` at the commas outside brackets of any kind.
fn split_top_level(text: &str) -> Vec<String> {
    let (mut depth, mut current, mut out) = (0i32, String::new(), Vec::new());
    for c in text.chars() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(current);
    out.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

/// Every command in `source` (the text of `commands.rs`), in order.
pub fn parse_commands(source: &str) -> Vec<CommandSignature> {
    let mut out = Vec::new();
    let mut doc: Vec<String> = Vec::new();
    let mut lines = source.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if let Some(text) = trimmed.strip_prefix("///") {
            doc.push(text.trim().to_string());
            continue;
        }
        if trimmed != "#[tauri::command]" {
            doc.clear();
            continue;
        }
        // The signature runs from `fn` to the opening brace of the body.
        let mut signature = String::new();
        for next in lines.by_ref() {
            signature.push_str(next.trim());
            signature.push(' ');
            if next.trim_end().ends_with('{') {
                break;
            }
        }
        let after_fn = &signature[signature.find("fn ").expect("a command is a fn") + 3..];
        let open = after_fn.find('(').expect("a parameter list");
        let name = after_fn[..open].trim().to_string();
        let rest = &after_fn[open + 1..];
        let mut depth = 0i32;
        let close = rest
            .char_indices()
            .find(|(_, c)| {
                match c {
                    '(' | '<' => depth += 1,
                    ')' if depth == 0 => return true,
                    ')' | '>' => depth -= 1,
                    _ => {}
                }
                false
            })
            .map(|(i, _)| i)
            .expect("a closing parenthesis");
        let params = split_top_level(&rest[..close])
            .into_iter()
            .filter_map(|p| {
                let (name, ty) = p.split_once(':')?;
                let name = name.trim().trim_start_matches("mut ").to_string();
                (name != "state" && name != "app").then(|| (name, ty.trim().to_string()))
            })
            .collect();
        let after = rest[close + 1..].trim();
        let returns = after
            .strip_prefix("->")
            .map(|r| r.trim_end_matches('{').trim().to_string())
            .unwrap_or_else(|| "()".into());
        let returns = returns
            .strip_prefix("Result<")
            .and_then(|r| r.strip_suffix('>'))
            .map(str::to_string)
            .unwrap_or(returns);
        out.push(CommandSignature {
            name,
            doc: std::mem::take(&mut doc),
            params,
            returns,
        });
    }
    out
}
