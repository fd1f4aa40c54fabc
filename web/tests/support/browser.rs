//! A real browser for the page tests and the page bench: the built page (`target/playground`,
//! `make playground-build`) served on 127.0.0.1 by a small static server, opened in Debian's
//! headless chromium through chromedriver (W3C WebDriver, JSON over plain HTTP).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// chromedriver: `$CHROMEDRIVER` (as wasm-bindgen-test-runner reads it), else Debian's.
pub fn chromedriver() -> PathBuf {
    std::env::var_os("CHROMEDRIVER").map_or_else(|| PathBuf::from("/usr/bin/chromedriver"), PathBuf::from)
}

/// The workspace's target directory (`CARGO_TARGET_DIR` when set).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// The built page; a clear failure when it is missing.
pub fn playground_dir() -> PathBuf {
    let dir = target_dir().join("playground");
    assert!(
        dir.join("index.html").is_file() && dir.join("pkg/tempo_policy_web_bg.wasm").is_file(),
        "the playground is not built at {}: run `make playground-build` (make test does)",
        dir.display()
    );
    dir
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

fn serve_one(mut stream: TcpStream, root: &Path) {
    let mut line = String::new();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // Headers are read and ignored.
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
        header.clear();
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let path = if path.ends_with('/') { format!("{path}index.html") } else { path.to_owned() };
    let file = root.join(path.trim_start_matches('/'));
    let (status, body, kind) = if path.contains("..") {
        ("403 Forbidden", Vec::new(), "text/plain")
    } else {
        match std::fs::read(&file) {
            Ok(body) => ("200 OK", body, content_type(&file)),
            Err(_) => ("404 Not Found", b"not found".to_vec(), "text/plain"),
        }
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
}

/// Serves `root` on 127.0.0.1 until the test process ends; returns the base URL.
pub fn serve(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || serve_one(stream, &root));
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// A chromedriver process with one headless chromium session; both end on drop.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: TempDir,
}

/// A directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let dir = std::env::temp_dir().join(format!("tempo-policy-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn post(url: &str, body: &Value) -> Value {
    let mut response = ureq::post(url).send_json(body).unwrap_or_else(|e| panic!("POST {url}: {e}"));
    response.body_mut().read_json::<Value>().unwrap()
}

impl Browser {
    /// Start chromedriver and a headless session (the flags this machine's closed network needs).
    pub fn start() -> Self {
        let driver_path = chromedriver();
        assert!(
            driver_path.is_file(),
            "{} is missing: install Debian's chromium and chromium-driver (.ci/run does), or set CHROMEDRIVER",
            driver_path.display()
        );
        let port = free_port();
        // chromedriver finds its browser (Debian's chromedriver: /usr/bin/chromium).
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = ureq::get(&format!("{base}/status"))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == true);
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start on {base}");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = TempDir::new("chromium");
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                    format!("--user-data-dir={}", profile.0.display()),
                ],
            },
        }}});
        let session = post(&format!("{base}/session"), &capabilities);
        let id = session["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {session}")).to_owned();
        Self { driver, base, session: id, _profile: profile }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}/{path}", self.base, self.session)
    }

    pub fn open(&self, url: &str) {
        post(&self.url("url"), &json!({"url": url}));
    }

    /// Run `script` (a function body; `arguments` are `args`) and return its value.
    pub fn eval(&self, script: &str, args: Value) -> Value {
        let answer = post(&self.url("execute/sync"), &json!({"script": script, "args": args}));
        answer["value"].clone()
    }

    /// Run an async `script` whose last argument is the callback to call with the result.
    pub fn eval_async(&self, script: &str, args: Value) -> Value {
        let answer = post(&self.url("execute/async"), &json!({"script": script, "args": args}));
        answer["value"].clone()
    }

    /// Wait until `script` returns something truthy; its value.
    pub fn wait_for(&self, script: &str, what: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let value = self.eval(script, json!([]));
            if !(value.is_null() || value == false || value == "") {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Open the page at `url` and wait for its first result (or its failure).
    pub fn open_page(&self, url: &str) {
        self.open(url);
        let state = self.wait_for(
            "const s = document.body.dataset.state; return s === 'loading' ? null : s;",
            "the page's first result",
        );
        assert_eq!(
            state,
            "ready",
            "the page did not load: {}",
            self.eval("return document.getElementById('summary').textContent", json!([]))
        );
    }

    /// A PNG screenshot of the window.
    pub fn screenshot(&self) -> Vec<u8> {
        use base64::Engine as _;
        let mut response = ureq::get(&self.url("screenshot")).call().unwrap();
        let value: Value = response.body_mut().read_json().unwrap();
        base64::engine::general_purpose::STANDARD.decode(value["value"].as_str().unwrap()).unwrap()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `text` as the page's `#m=`/`#s=` values: base64url without padding.
pub fn base64url(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}
