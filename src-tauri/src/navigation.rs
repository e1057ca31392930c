//! The window only ever shows the app's own page. A link dragged onto it, or one a page
//! bug followed, would otherwise replace the app with someone else's page, and that
//! page could call the app's commands.

use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Runtime, Url};

/// Refuses every navigation away from the app's own page.
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("stay-on-page")
        .on_navigation(|_, url| is_own_page(url))
        .build()
}

/// The app's own page: `tauri://localhost` (Linux, macOS) or `http(s)://tauri.localhost`
/// (Windows).
pub fn is_own_page(url: &Url) -> bool {
    matches!(
        (url.scheme(), url.host_str()),
        ("tauri", Some("localhost")) | ("http" | "https", Some("tauri.localhost"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own(s: &str) -> bool {
        is_own_page(&Url::parse(s).expect("url"))
    }

    #[test]
    fn only_the_apps_own_page_may_be_shown() {
        assert!(own("tauri://localhost/"));
        assert!(own("tauri://localhost/index.html#dsl"));
        assert!(own("http://tauri.localhost/"));
        assert!(!own("https://example.org/"));
        assert!(!own("http://localhost:8080/"));
        assert!(!own("tauri://evil.example/"));
        assert!(!own("file:///etc/passwd"));
        assert!(!own("data:text/html,hi"));
    }
}
