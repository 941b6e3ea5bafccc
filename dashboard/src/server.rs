//! The HTTP routes: the page's files, the runs and their curves, the live
//! WebSocket, controls and checkpoint actions. Every handler finds its run
//! through the store, does blocking work on actix's blocking pool, and
//! answers errors as `{"error": ...}` naming the run.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use agora_runtime::learn::RecordedEpisodes;
use agora_runtime::stored_run::{LocateError, RunLocator, StoredRun};
use futures::StreamExt;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use crate::checkpoints::{self, CheckpointError, EVAL_EPISODES};
use crate::decimate::{Series, XRange, decimate};
use crate::history::{Axis, History};
use crate::live::{ControlRequest, Feed, Hub, LiveError, Payload};
use crate::pace::{EpisodePacer, is_whole_episode};
use crate::runs::{CheckpointView, RunView, is_live};
use crate::token::Access;

/// What every handler shares.
pub struct State {
    pub(crate) data_dir: PathBuf,
    pub(crate) locator: RunLocator,
    pub(crate) access: Access,
    pub(crate) hub: Arc<Hub>,
    pub(crate) agora: PathBuf,
    histories: Mutex<HashMap<String, Arc<Mutex<History>>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl State {
    pub(crate) fn new(data_dir: PathBuf, access: Access, hub: Hub, agora: PathBuf) -> Self {
        Self {
            locator: RunLocator::new(&data_dir),
            data_dir,
            access,
            hub: Arc::new(hub),
            agora,
            histories: Mutex::default(),
        }
    }

    fn history(&self, run: &StoredRun) -> Arc<Mutex<History>> {
        lock(&self.histories)
            .entry(run.id().to_string())
            .or_insert_with(|| {
                let folder = self.data_dir.join("runs").join(run.id());
                Arc::new(Mutex::new(History::new(folder, run.record().started_at)))
            })
            .clone()
    }

    /// Reads the newest runs' histories ahead, on a thread of its own, up
    /// to [`WARM_EPISODES`] episodes in all: opening a recent run then
    /// finds its curves read (a request meanwhile waits for that read, not
    /// for a second one). Older runs are read when asked for.
    pub(crate) fn read_ahead(self: Arc<Self>) {
        let reading = std::thread::Builder::new()
            .name("agora-dashboard-read-ahead".into())
            .spawn(move || {
                let Ok(mut runs) = self.locator.runs() else {
                    return;
                };
                runs.sort_by(|a, b| b.record().started_at.total_cmp(&a.record().started_at));
                let mut budget = WARM_EPISODES;
                for run in runs {
                    let episodes = run.record().digest.episodes;
                    if episodes == 0 || episodes > budget {
                        continue;
                    }
                    budget -= episodes;
                    // Unreadable now is reported when a page asks for it.
                    let _ = lock(&self.history(&run)).refresh();
                }
            });
        if let Err(error) = reading {
            tracing::warn!(%error, "run histories not read ahead");
        }
    }

    /// A history being read right now is not waited for: the runs list
    /// then goes without that run's steps/s.
    fn known_sps(&self, run: &str) -> Option<f64> {
        let history = lock(&self.histories).get(run).cloned()?;
        let history = history.try_lock().ok()?;
        history.last_sps
    }
}

/// Episodes of history read ahead at start (a million take ~90 MB).
const WARM_EPISODES: u64 = 2_000_000;

/// An answer that is not a success, as JSON.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status).json(serde_json::json!({"error": self.message}))
    }
}

impl From<LocateError> for ApiError {
    fn from(error: LocateError) -> Self {
        let status = match &error {
            LocateError::UnknownRun { .. }
            | LocateError::NoRegistry { .. }
            | LocateError::NoCheckpoint { .. }
            | LocateError::NoLearner { .. } => StatusCode::NOT_FOUND,
            LocateError::Ambiguous { .. } | LocateError::WrongEnv { .. } => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self::new(status, error.to_string())
    }
}

impl From<CheckpointError> for ApiError {
    fn from(error: CheckpointError) -> Self {
        match error {
            CheckpointError::Locate(error) => error.into(),
            CheckpointError::Episodes(_) => Self::bad_request(error.to_string()),
            CheckpointError::Launch { .. } => {
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
            }
        }
    }
}

impl From<LiveError> for ApiError {
    fn from(error: LiveError) -> Self {
        let status = match &error {
            LiveError::NoAnswer { .. } => StatusCode::GATEWAY_TIMEOUT,
            LiveError::NoBroker(_) | LiveError::BadBroker { .. } => StatusCode::CONFLICT,
            LiveError::Unreachable { .. } | LiveError::NotSent { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        };
        Self::new(status, error.to_string())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is shutting down",
        )
    }
}

type Shared = web::Data<State>;

/// Runs `work` on the blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    web::block(work).await?
}

async fn find(state: &Shared, id: String) -> Result<StoredRun, ApiError> {
    let state = state.clone();
    blocking(move || Ok(state.locator.find(&id)?)).await
}

/// Every route, `/api/` behind the token check.
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/", web::get().to(index))
        .route("/assets/{name}", web::get().to(asset))
        .service(
            web::scope("/api")
                .route("/runs", web::get().to(list_runs))
                .route("/runs/{id}", web::get().to(show_run))
                .route("/runs/{id}/series", web::get().to(series))
                .route("/runs/{id}/live", web::get().to(live))
                .route("/runs/{id}/recorded", web::get().to(recorded))
                .route("/runs/{id}/episodes/{n}", web::get().to(recorded_episode))
                .route("/runs/{id}/control", web::post().to(control))
                .route("/runs/{id}/checkpoints/{seq}/eval", web::post().to(eval))
                .route(
                    "/runs/{id}/checkpoints/{seq}/warm-start",
                    web::post().to(warm_start),
                )
                .route(
                    "/runs/{id}/checkpoints/{seq}/download",
                    web::get().to(download),
                ),
        );
}

/// The token of a request: `Authorization: Bearer T` or `?token=T`.
pub fn request_tokens(req: &actix_web::dev::ServiceRequest) -> (Option<String>, Option<String>) {
    let bearer = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let query = req
        .query_string()
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .map(str::to_string);
    (bearer, query)
}

/// The 401 a request without the right token gets.
pub fn unauthorized() -> HttpResponse {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "this dashboard needs its token: add ?token=… (printed when it started) or an Authorization: Bearer header",
    )
    .error_response()
}

async fn index() -> HttpResponse {
    serve_asset("index.html")
}

async fn asset(name: web::Path<String>) -> HttpResponse {
    serve_asset(&name)
}

fn serve_asset(name: &str) -> HttpResponse {
    match crate::assets::asset(name) {
        Some((bytes, content_type)) => HttpResponse::Ok()
            .content_type(content_type)
            .insert_header(("Cache-Control", "no-cache"))
            .body(bytes),
        None => ApiError::new(StatusCode::NOT_FOUND, format!("no file `{name}`")).error_response(),
    }
}

async fn list_runs(state: Shared) -> Result<HttpResponse, ApiError> {
    let shared = state.clone();
    let runs = blocking(move || match shared.locator.runs() {
        Ok(runs) => Ok(runs),
        Err(LocateError::NoRegistry { .. }) => Ok(Vec::new()),
        Err(error) => Err(error.into()),
    })
    .await?;
    let mut views: Vec<RunView> = runs
        .iter()
        .map(|run| RunView::of(run, state.known_sps(run.id())))
        .collect();
    views.sort_by(|a, b| b.started_at.total_cmp(&a.started_at));
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "runs": views,
        "data_dir": state.data_dir,
    })))
}

async fn show_run(state: Shared, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let run = find(&state, id.into_inner()).await?;
    let shared = state.clone();
    blocking(move || {
        let history = shared.history(&run);
        let mut history = lock(&history);
        // A history that cannot be read only costs the markers their place.
        let _ = history.refresh();
        let checkpoints: Vec<CheckpointView> = run
            .checkpoints()?
            .iter()
            .map(|meta| CheckpointView::new(meta, Some(&history)))
            .collect();
        let mut view = serde_json::to_value(RunView::of(&run, history.last_sps))
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        view["config"] = run.record().config.clone().into();
        view["summary"] = run.record().summary.clone();
        view["checkpoints"] = serde_json::to_value(checkpoints).unwrap_or_default();
        Ok(view)
    })
    .await
    .map(|view| HttpResponse::Ok().json(view))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeriesQuery {
    x: Option<Axis>,
    from: Option<f64>,
    to: Option<f64>,
    width: Option<usize>,
    #[serde(rename = "token")]
    _token: Option<String>,
}

/// Series with one point per finished episode.
const EPISODE_SERIES: &[&str] = &["return", "length"];

/// Widest chart served, in pixel columns.
const MAX_WIDTH: usize = 8192;

async fn series(
    state: Shared,
    id: web::Path<String>,
    query: Result<web::Query<SeriesQuery>, actix_web::Error>,
) -> Result<HttpResponse, ApiError> {
    let query = query.map_err(|e| ApiError::bad_request(format!("series query: {e}")))?;
    let run = find(&state, id.into_inner()).await?;
    let width = query.width.unwrap_or(800);
    if width == 0 || width > MAX_WIDTH {
        return Err(ApiError::bad_request(format!(
            "width must be between 1 and {MAX_WIDTH}, got {width}"
        )));
    }
    let axis = query.x.unwrap_or(Axis::Steps);
    let history = state.history(&run);
    let (from, to) = (query.from, query.to);
    blocking(move || {
        let mut history = lock(&history);
        history.refresh().map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!(
                    "run {}: cannot read {}: {e}",
                    run.id(),
                    history.path().display()
                ),
            )
        })?;
        let all_x: Vec<f64> = history
            .series
            .values()
            .flat_map(|column| [column.x(axis).first(), column.x(axis).last()])
            .flatten()
            .copied()
            .collect();
        let spanning = XRange::spanning(&all_x).unwrap_or(XRange { lo: 0.0, hi: 0.0 });
        let range = XRange {
            lo: from.unwrap_or(spanning.lo),
            hi: to.unwrap_or(spanning.hi),
        };
        if range.lo > range.hi {
            return Err(ApiError::bad_request(format!(
                "from ({}) is after to ({})",
                range.lo, range.hi
            )));
        }
        let series = decimate_all(&history, axis, range, width);
        Ok(serde_json::json!({
            "x": axis,
            "range": [range.lo, range.hi],
            "width": width,
            "bad_lines": history.bad_lines,
            "unfinished_bytes": history.unfinished_bytes(),
            "series": series,
        }))
    })
    .await
    .map(|answer| HttpResponse::Ok().json(answer))
}

/// Every series of `history` decimated, on every core (a big run's
/// return and length curves hold a point per episode).
fn decimate_all(
    history: &History,
    axis: Axis,
    range: XRange,
    width: usize,
) -> serde_json::Map<String, serde_json::Value> {
    let one = |name: &String, column: &crate::history::Column| {
        let decimated: Series = decimate(column.x(axis), &column.y, range, width);
        let mut value = serde_json::to_value(&decimated).unwrap_or_default();
        if EPISODE_SERIES.contains(&name.as_str()) {
            // The episode behind each point (a column's last), so a
            // click names the episode to replay.
            let numbers: Vec<u64> = decimated
                .picked
                .iter()
                .filter_map(|&i| history.episodes.get(i).map(|e| e.episode))
                .collect();
            value["episode"] = numbers.into();
        }
        (name.clone(), value)
    };
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    // Biggest first, dealt out in turn: the episode series go to
    // different threads.
    let mut named: Vec<_> = history.series.iter().collect();
    named.sort_by_key(|(_, column)| std::cmp::Reverse(column.y.len()));
    let shares: Vec<Vec<_>> = (0..threads)
        .map(|t| named.iter().skip(t).step_by(threads).copied().collect())
        .collect();
    std::thread::scope(|scope| {
        let working: Vec<_> = shares
            .iter()
            .map(|share| scope.spawn(|| share.iter().map(|(n, c)| one(n, c)).collect::<Vec<_>>()))
            .collect();
        working
            .into_iter()
            .flat_map(|handle| handle.join().unwrap_or_default())
            .collect()
    })
}

fn recorded_episodes(state: &State, run: &str) -> Result<RecordedEpisodes, ApiError> {
    RecordedEpisodes::open(&state.data_dir.join("runs").join(run))
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("run {run}: {e}")))
}

async fn recorded(state: Shared, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let run = find(&state, id.into_inner()).await?;
    let shared = state.clone();
    let answer = blocking(move || {
        let kept = recorded_episodes(&shared, run.id())?;
        let skipped = kept.skipped();
        Ok(serde_json::json!({
            "episodes": kept.list().iter().map(|e| serde_json::json!({
                "episode": e.episode, "return": e.episode_return, "length": e.length,
                "env_steps": e.env_steps, "at": e.at,
            })).collect::<Vec<_>>(),
            "bytes": kept.bytes(),
            "skipped": {"unreadable": skipped.unreadable, "truncated": skipped.truncated},
        }))
    })
    .await?;
    Ok(HttpResponse::Ok().json(answer))
}

async fn recorded_episode(
    state: Shared,
    path: web::Path<(String, u64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, episode) = path.into_inner();
    let run = find(&state, id).await?;
    let shared = state.clone();
    let answer = blocking(move || {
        let kept = recorded_episodes(&shared, run.id())?;
        let read = kept.read(episode).map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("run {}: {e}", run.id()))
        })?;
        let Some(recorded) = read else {
            let policy = run
                .config()
                .map(|c| format!("\"{}\"", c.telemetry.record_episodes))
                .unwrap_or_else(|_| "unknown".into());
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                format!(
                    "run {}: episode {episode} was not recorded ({} episodes are; record_episodes = {policy})",
                    run.id(),
                    kept.list().len()
                ),
            ));
        };
        serde_json::to_value(recorded)
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
    })
    .await?;
    Ok(HttpResponse::Ok().json(answer))
}

async fn live(
    state: Shared,
    id: web::Path<String>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let run = find(&state, id.into_inner()).await?;
    let view = RunView::of(&run, state.known_sps(run.id()));
    let feed = if is_live(run.record().status) {
        Some(state.hub.feed(run.record()).await.map_err(ApiError::from)?)
    } else {
        None
    };
    let (response, session, incoming) = actix_ws::handle(&req, body)?;
    let hello = serde_json::json!({"type": "hello", "run": view}).to_string();
    let hub = state.hub.clone();
    actix_web::rt::spawn(async move {
        tab(session, incoming, feed.as_deref(), hello).await;
        if let Some(feed) = &feed {
            hub.release(feed);
        }
    });
    Ok(response)
}

/// One open tab: the run's messages out, whatever it sends ignored, its
/// losses counted and told.
async fn tab(
    mut session: actix_ws::Session,
    mut incoming: actix_ws::MessageStream,
    feed: Option<&Feed>,
    hello: String,
) {
    let (mut messages, status) = match feed {
        Some(feed) => {
            let (messages, status) = feed.watch();
            (Some(messages), status)
        }
        None => (None, None),
    };
    if session.text(hello).await.is_err() {
        return;
    }
    if let Some(status) = status {
        let mut status = status;
        status["type"] = "status".into();
        if session.text(status.to_string()).await.is_err() {
            return;
        }
    }
    let mut lag = Lag::default();
    let mut pacer = EpisodePacer::default();
    loop {
        let next = async {
            match &mut messages {
                Some(messages) => lag.next(messages).await,
                None => futures::future::pending().await,
            }
        };
        let due = pacer.due();
        let paced = async {
            match due {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => futures::future::pending().await,
            }
        };
        tokio::select! {
            out = next => match out {
                Some(Outgoing::Message(payload)) if is_whole_episode(&payload) => {
                    if let Some(episode) = pacer.offer(payload, Instant::now())
                        && !send_episode(&mut session, episode, pacer.untold_skips()).await
                    {
                        break;
                    }
                }
                Some(Outgoing::Message(payload)) => {
                    if session.text(payload).await.is_err() {
                        break;
                    }
                }
                Some(Outgoing::Dropped(count)) => {
                    let note = serde_json::json!({"type": "dropped", "count": count});
                    if session.text(note.to_string()).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            () = paced => {
                if let Some(episode) = pacer.release(Instant::now())
                    && !send_episode(&mut session, episode, pacer.untold_skips()).await
                {
                    break;
                }
            }
            received = incoming.next() => match received {
                Some(Ok(actix_ws::Message::Ping(bytes))) => {
                    if session.pong(&bytes).await.is_err() {
                        break;
                    }
                }
                Some(Ok(actix_ws::Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {} // the page has nothing to say; garbage is ignored
            },
        }
    }
    let _ = session.close(None).await;
}

/// Sends a whole episode, after the count of episodes the tab was not sent
/// when it grew; false when the tab is gone.
async fn send_episode(
    session: &mut actix_ws::Session,
    episode: Payload,
    skipped: Option<u64>,
) -> bool {
    if let Some(count) = skipped {
        let note = serde_json::json!({"type": "episodes_skipped", "count": count});
        if session.text(note.to_string()).await.is_err() {
            return false;
        }
    }
    session.text(episode).await.is_ok()
}

/// What a tab is sent next.
#[derive(Debug, PartialEq)]
pub(crate) enum Outgoing {
    Message(Payload),
    /// The tab fell behind: messages lost so far, in all.
    Dropped(u64),
}

/// Counts what a tab lost because it read too slowly.
#[derive(Debug, Default)]
pub(crate) struct Lag {
    dropped: u64,
}

impl Lag {
    /// The next message, or how many were lost before it; `None` when the
    /// run's feed is gone.
    pub(crate) async fn next(
        &mut self,
        messages: &mut tokio::sync::broadcast::Receiver<Payload>,
    ) -> Option<Outgoing> {
        match messages.recv().await {
            Ok(payload) => Some(Outgoing::Message(payload)),
            Err(RecvError::Lagged(lost)) => {
                self.dropped += lost;
                Some(Outgoing::Dropped(self.dropped))
            }
            Err(RecvError::Closed) => None,
        }
    }
}

async fn control(
    state: Shared,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: ControlRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "control body: {e} (expected {{\"command\": \"pause\"}} or {{\"command\": \"speed\", \"value\": 0.5}})"
        ))
    })?;
    let run = find(&state, id.into_inner()).await?;
    let record = run.record();
    if !is_live(record.status) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!(
                "run {} is {}; only a running run takes commands",
                record.id,
                record.status.as_str()
            ),
        ));
    }
    let feed = state.hub.feed(record).await?;
    let answer = feed.command(&request).await?;
    if answer["ok"] != true {
        let reason = answer["error"].as_str().unwrap_or("no reason given");
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("run {} refused `{}`: {reason}", record.id, request.command),
        ));
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "ok": true,
        "status": answer["status"],
        "visual": answer["visual"],
        "speed": answer["speed"],
    })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EvalBody {
    episodes: Option<u64>,
    seed: Option<u64>,
}

async fn eval(
    state: Shared,
    path: web::Path<(String, u64)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (id, sequence) = path.into_inner();
    let request: EvalBody = if body.iter().all(u8::is_ascii_whitespace) {
        EvalBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad_request(format!(
                "eval body: {e} (expected {{\"episodes\": 10, \"seed\": 0}})"
            ))
        })?
    };
    let run = find(&state, id).await?;
    let episodes = request.episodes.unwrap_or(EVAL_EPISODES);
    let seed = request.seed.unwrap_or(0);
    let evaluation =
        blocking(move || Ok(checkpoints::eval(&run, sequence, episodes, seed)?)).await?;
    let summary = &evaluation.summary;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "sequence": evaluation.checkpoint.sequence,
        "env": evaluation.env,
        "episodes": summary.episodes,
        "mean_return": summary.mean_return,
        "min_return": summary.min_return,
        "max_return": summary.max_return,
        "success_rate": summary.success_rate,
    })))
}

async fn warm_start(
    state: Shared,
    path: web::Path<(String, u64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, sequence) = path.into_inner();
    let run = find(&state, id).await?;
    let shared = state.clone();
    let launched = blocking(move || {
        Ok(checkpoints::warm_start(
            &shared.agora,
            &shared.data_dir,
            &run,
            sequence,
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(launched))
}

async fn download(state: Shared, path: web::Path<(String, u64)>) -> Result<HttpResponse, ApiError> {
    let (id, sequence) = path.into_inner();
    let run = find(&state, id).await?;
    let name = format!("{}-checkpoint-{sequence}.bin", run.id());
    let bytes = blocking(move || Ok(checkpoints::download(&run, sequence)?)).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_tab_that_reads_too_slowly_loses_the_oldest_and_is_told() {
        let (sender, mut tab) = tokio::sync::broadcast::channel::<Payload>(4);
        for n in 0..10 {
            sender
                .send(Payload::from(n.to_string()))
                .expect("a receiver");
        }
        let mut lag = Lag::default();
        assert_eq!(lag.next(&mut tab).await, Some(Outgoing::Dropped(6)));
        // What is left is the newest four, in order.
        for n in 6..10 {
            assert_eq!(
                lag.next(&mut tab).await,
                Some(Outgoing::Message(Payload::from(n.to_string())))
            );
        }
        for n in 10..20 {
            sender
                .send(Payload::from(n.to_string()))
                .expect("a receiver");
        }
        assert_eq!(
            lag.next(&mut tab).await,
            Some(Outgoing::Dropped(12)),
            "counted in all"
        );
        drop(sender);
        for _ in 0..4 {
            assert!(matches!(
                lag.next(&mut tab).await,
                Some(Outgoing::Message(_))
            ));
        }
        assert_eq!(lag.next(&mut tab).await, None);
    }
}
