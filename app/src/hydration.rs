//! Starting the browser code once the page is idle.
//!
//! Leptos's `HydrationScripts` preloads the main module, its WebAssembly and every chunk of the
//! page's code with the page itself, so they compete with the page's first paint (on a slow
//! phone, a quarter of a megabyte before the sign-in form shows). The pages are complete
//! without that code (forms post, links follow), so it is fetched only once the browser is
//! idle, and the page's chunks are fetched by the code that needs them.

use leptos::prelude::*;
use std::sync::OnceLock;

/// The module script that fetches the browser code when idle, or after a second at the latest
/// on a page that never is.
#[component]
pub fn DeferredHydration(options: LeptosOptions) -> impl IntoView {
    static SCRIPT: OnceLock<String> = OnceLock::new();
    let script = SCRIPT.get_or_init(|| {
        let hashes = options.hash_files.then(|| read_hashes(&options)).flatten();
        let (js, wasm) = bundle_names(&options.output_name, hashes.as_deref());
        start_script(&format!("/{}", options.site_pkg_dir), &js, &wasm)
    });
    view! { <script type="module" nonce=use_nonce()>{script.clone()}</script> }
}

/// `hash.txt`, which cargo-leptos writes beside the server binary.
fn read_hashes(options: &LeptosOptions) -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    std::fs::read_to_string(exe.parent()?.join(options.hash_file.as_ref())).ok()
}

/// The file names of the main module and its WebAssembly, with their content hashes when the
/// build named them so (`js: …` and `wasm: …` lines).
fn bundle_names(output_name: &str, hashes: Option<&str>) -> (String, String) {
    let hash_of = |kind: &str| {
        hashes?.lines().find_map(|line| {
            let (file, hash) = line.split_once(':')?;
            (file.trim() == kind).then(|| hash.trim().to_owned())
        })
    };
    let name = |kind: &str| match hash_of(kind) {
        Some(hash) => format!("{output_name}.{hash}.{kind}"),
        None => format!("{output_name}.{kind}"),
    };
    (name("js"), name("wasm"))
}

fn start_script(pkg: &str, js: &str, wasm: &str) -> String {
    format!(
        "const start = () => import(\"{pkg}/{js}\").then((m) => \
         m.default({{ module_or_path: \"{pkg}/{wasm}\" }}).then(() => m.hydrate()));\n\
         if (\"requestIdleCallback\" in window) requestIdleCallback(start, {{ timeout: 1000 }}); \
         else setTimeout(start, 0);"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_builds_name_both_files_by_their_hash() {
        let hashes = "js: abc\nwasm: def\ncss: ghi\nsplit: jkl\n";
        assert_eq!(
            bundle_names("portcullis", Some(hashes)),
            ("portcullis.abc.js".to_owned(), "portcullis.def.wasm".to_owned())
        );
    }

    #[test]
    fn unhashed_builds_use_the_output_name() {
        assert_eq!(bundle_names("portcullis", None), ("portcullis.js".to_owned(), "portcullis.wasm".to_owned()));
        assert_eq!(bundle_names("portcullis", Some("css: x")).1, "portcullis.wasm");
    }

    #[test]
    fn the_script_starts_the_named_files_when_idle() {
        let script = start_script("/pkg", "p.1.js", "p.2.wasm");
        assert!(script.contains("import(\"/pkg/p.1.js\")"));
        assert!(script.contains("module_or_path: \"/pkg/p.2.wasm\""));
        assert!(script.contains("requestIdleCallback(start"));
    }
}
