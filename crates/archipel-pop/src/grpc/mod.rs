//! The Pop gRPC service: checks the session token, converts protocol messages into domain
//! commands, calls the core, and converts the answer (or maps the error) back.

mod around;
mod audit;
pub mod convert;
pub mod oversize;
pub mod request;
pub mod status;
pub mod thesis;
pub mod timed;

use std::path::PathBuf;
use std::sync::Arc;

use archipel_proto::v1 as pb;
use futures::stream::{BoxStream, StreamExt};
use pb::pop_server::{Pop as PopRpc, PopServer};
use tonic::{Request, Response, Status};

use crate::auth::Auth;
use crate::error::PopError;
use crate::model::ExecCommand;
use crate::registry::Pop;
use audit::{label, Caller};
pub use oversize::{Oversize, OversizeAsResourceExhausted};
use status::to_status;
pub use thesis::ThesisName;
pub use timed::{Timed, Timer};

type Reply<T> = Result<Response<T>, Status>;

/// The most output a Logs reply carries: below the 4 MiB a gRPC client accepts by default,
/// with room for the reply's framing. A longer log answers its last part, marked truncated.
pub const MAX_LOGS_REPLY_BYTES: usize = 4 * 1024 * 1024 - 4096;
/// The most output an Exec reply holds: its last part.
pub const MAX_EXEC_OUTPUT_BYTES: usize = 1024 * 1024;

/// The tonic service over a [`Pop`] core.
#[derive(Debug, Clone)]
pub struct PopService {
    pop: Pop,
    auth: Arc<Auth>,
    /// popd's store, named when a write to it finds the disk full.
    store_path: PathBuf,
}

impl PopService {
    pub fn new(pop: Pop, auth: Arc<Auth>, store_path: PathBuf) -> Self {
        Self { pop, auth, store_path }
    }

    /// The status of a failed call; a full file system is told as such, with its path.
    fn fail(&self, e: PopError) -> Status {
        to_status(e.on_full_disk(&self.store_path))
    }

    /// The service ready to be added to a tonic server: requests above `max_message_bytes`
    /// are refused with RESOURCE_EXHAUSTED.
    pub fn into_server(
        self,
        max_message_bytes: usize,
    ) -> OversizeAsResourceExhausted<PopServer<PopService>> {
        OversizeAsResourceExhausted::new(
            PopServer::new(self).max_decoding_message_size(max_message_bytes),
            Oversize,
        )
    }

    /// The caller: the user of the call's session; UNAUTHENTICATED without a valid `token`.
    fn authorize<T>(&self, req: &Request<T>) -> Result<Caller, Status> {
        let peer = req.remote_addr().map(|a| a.ip());
        self.session_user(req).map(|user| Caller { user, peer })
    }

    fn session_user<T>(&self, req: &Request<T>) -> Result<String, Status> {
        let tokens = request::tokens(req.metadata());
        if tokens.is_empty() {
            return Err(to_status(PopError::NoToken));
        }
        let mut last = None;
        for token in &tokens {
            match self.auth.check(token) {
                Ok(user) => return Ok(user),
                Err(e) => last = Some(e),
            }
        }
        Err(to_status(last.expect("at least one token was checked")))
    }

    fn networks(&self) -> convert::Networks {
        convert::networks_by_id(self.pop.networks(None))
    }
}

#[tonic::async_trait]
impl PopRpc for PopService {
    async fn containers(&self, req: Request<pb::Filter>) -> Reply<pb::ContainerList> {
        self.authorize(&req)?;
        let filter = convert::filter(Some(req.into_inner()));
        let nets = self.networks();
        let list = self.pop.containers(filter.as_ref());
        let list = list.into_iter().map(|c| convert::container(c, &nets)).collect();
        Ok(Response::new(pb::ContainerList { list }))
    }

    async fn flavours(&self, req: Request<pb::Filter>) -> Reply<pb::FlavourList> {
        self.authorize(&req)?;
        let filter = convert::filter(Some(req.into_inner()));
        let list = self.pop.flavours(filter.as_ref()).into_iter().map(convert::flavour).collect();
        Ok(Response::new(pb::FlavourList { list }))
    }

    async fn images(&self, req: Request<pb::Filter>) -> Reply<pb::ImageList> {
        self.authorize(&req)?;
        let filter = convert::filter(Some(req.into_inner()));
        let images = self.pop.images(filter.as_ref()).await.map_err(|e| self.fail(e))?;
        Ok(Response::new(pb::ImageList { list: images.into_iter().map(convert::image).collect() }))
    }

    async fn networks(&self, req: Request<pb::Filter>) -> Reply<pb::NetworkList> {
        self.authorize(&req)?;
        let filter = convert::filter(Some(req.into_inner()));
        let list = self.pop.networks(filter.as_ref()).into_iter().map(convert::network).collect();
        Ok(Response::new(pb::NetworkList { list }))
    }

    async fn create(&self, req: Request<pb::ContainerConfig>) -> Reply<pb::Container> {
        let caller = self.authorize(&req)?;
        let config = req.into_inner();
        let target = config.name.clone();
        let reply = async {
            let cmd = convert::create_container(config).map_err(|e| self.fail(e))?;
            let created = self.pop.create(cmd).await.map_err(|e| self.fail(e))?;
            Ok(Response::new(convert::container(created, &self.networks())))
        };
        caller.audit("Create", &target, reply.await)
    }

    async fn delete(&self, req: Request<pb::Filter>) -> Reply<()> {
        let caller = self.authorize(&req)?;
        let timeout = request::stop_timeout(req.metadata());
        let sel = convert::target(Some(req.into_inner())).map_err(|e| self.fail(e))?;
        let reply =
            self.pop.delete(&sel, timeout).await.map(Response::new).map_err(|e| self.fail(e));
        caller.audit("Delete", label(&sel), reply)
    }

    async fn metadata(&self, req: Request<pb::NewMetadata>) -> Reply<()> {
        let caller = self.authorize(&req)?;
        let new = req.into_inner();
        let sel = convert::target(new.filter).map_err(|e| self.fail(e))?;
        let set = self.pop.set_metadata(&sel, convert::metadata(new.md)).await;
        caller.audit("Metadata", label(&sel), set.map(Response::new).map_err(|e| self.fail(e)))
    }

    async fn start(&self, req: Request<pb::Filter>) -> Reply<pb::Container> {
        let caller = self.authorize(&req)?;
        let sel = convert::target(Some(req.into_inner())).map_err(|e| self.fail(e))?;
        let started = self.pop.start(&sel).await;
        let reply = started.map(|c| Response::new(convert::container(c, &self.networks())));
        caller.audit("Start", label(&sel), reply.map_err(|e| self.fail(e)))
    }

    async fn stop(&self, req: Request<pb::Filter>) -> Reply<()> {
        let caller = self.authorize(&req)?;
        let timeout = request::stop_timeout(req.metadata());
        let sel = convert::target(Some(req.into_inner())).map_err(|e| self.fail(e))?;
        let reply =
            self.pop.stop(&sel, timeout).await.map(|_| Response::new(())).map_err(|e| self.fail(e));
        caller.audit("Stop", label(&sel), reply)
    }

    async fn login(&self, req: Request<pb::Credentials>) -> Reply<pb::Token> {
        let peer = req.remote_addr().map(|a| a.ip());
        let creds = req.into_inner();
        let token = self
            .auth
            .login(peer, &creds.username, &creds.password)
            .await
            .map_err(|e| self.fail(e))?;
        Ok(Response::new(pb::Token { value: token }))
    }

    async fn logout(&self, req: Request<()>) -> Reply<()> {
        let caller = self.authorize(&req)?;
        let tokens = request::tokens(req.metadata());
        let reply = self.auth.logout(tokens.iter().map(String::as_str));
        let target = caller.user.clone();
        caller.audit("Logout", &target, reply.map(Response::new).map_err(|e| self.fail(e)))
    }

    async fn info(&self, _req: Request<()>) -> Reply<pb::Infos> {
        Ok(Response::new(convert::info(self.pop.info())))
    }

    async fn create_network(&self, req: Request<pb::NetworkConfig>) -> Reply<pb::Network> {
        let caller = self.authorize(&req)?;
        let config = req.into_inner();
        let target = config.name.clone();
        let reply = async {
            let cmd = convert::create_network(config).map_err(|e| self.fail(e))?;
            let net = self.pop.create_network(cmd).await.map_err(|e| self.fail(e))?;
            Ok(Response::new(convert::network(net)))
        };
        caller.audit("CreateNetwork", &target, reply.await)
    }

    async fn update_network(&self, req: Request<pb::NetworkUpdate>) -> Reply<pb::Network> {
        let caller = self.authorize(&req)?;
        let (sel, update) = convert::update_network(req.into_inner()).map_err(|e| self.fail(e))?;
        let updated = self.pop.update_network(&sel, update).await;
        let reply =
            updated.map(|net| Response::new(convert::network(net))).map_err(|e| self.fail(e));
        caller.audit("UpdateNetwork", label(&sel), reply)
    }

    async fn delete_network(&self, req: Request<pb::NetworkFilter>) -> Reply<()> {
        let caller = self.authorize(&req)?;
        let sel = convert::network_target(Some(req.into_inner())).map_err(|e| self.fail(e))?;
        let reply =
            self.pop.delete_network(&sel).await.map(Response::new).map_err(|e| self.fail(e));
        caller.audit("DeleteNetwork", label(&sel), reply)
    }

    type WatchStream = BoxStream<'static, Result<pb::ContainerEvent, Status>>;

    async fn watch(&self, req: Request<pb::Filter>) -> Reply<Self::WatchStream> {
        self.authorize(&req)?;
        let filter = convert::filter(Some(req.into_inner()));
        let pop = self.pop.clone();
        let stream = self.pop.watch(filter).map(move |change| {
            let nets = convert::networks_by_id(pop.networks(None));
            Ok(convert::event(change, &nets))
        });
        Ok(Response::new(stream.boxed()))
    }

    async fn logs(&self, req: Request<pb::LogsRequest>) -> Reply<pb::LogsReply> {
        self.authorize(&req)?;
        let logs = req.into_inner();
        let sel = convert::target(logs.filter).map_err(|e| self.fail(e))?;
        let tail = (logs.tail != 0).then_some(logs.tail);
        let out =
            self.pop.logs(&sel, tail, MAX_LOGS_REPLY_BYTES).await.map_err(|e| self.fail(e))?;
        Ok(Response::new(pb::LogsReply { output: out.output, truncated: out.truncated }))
    }

    async fn exec(&self, req: Request<pb::ExecRequest>) -> Reply<pb::ExecReply> {
        let caller = self.authorize(&req)?;
        let exec = req.into_inner();
        let sel = convert::target(exec.filter).map_err(|e| self.fail(e))?;
        // The audit names the program, never its arguments or variables: they may be secrets.
        let target = format!(
            "{} {} ({} arguments)",
            label(&sel),
            exec.command.first().map_or("", String::as_str),
            exec.command.len().saturating_sub(1)
        );
        let timeout = (exec.timeout_ms != 0)
            .then(|| std::time::Duration::from_millis(u64::from(exec.timeout_ms)));
        let env = exec.env.into_iter().collect();
        let reply = match ExecCommand::new(exec.command, env, timeout) {
            Ok(command) => self.pop.exec(&sel, command, MAX_EXEC_OUTPUT_BYTES).await,
            Err(e) => Err(e),
        };
        let reply = reply
            .map(|out| {
                Response::new(pb::ExecReply {
                    exit_code: out.code,
                    output: out.output,
                    truncated: out.truncated,
                    timed_out: out.timed_out,
                })
            })
            .map_err(|e| self.fail(e));
        caller.audit("Exec", &target, reply)
    }

    async fn import_image(&self, req: Request<pb::ImageImport>) -> Reply<pb::Image> {
        let caller = self.authorize(&req)?;
        let path = std::path::PathBuf::from(req.into_inner().path);
        let imported = self.pop.import_image(&path).await;
        let reply =
            imported.map(|image| Response::new(convert::image(image))).map_err(|e| self.fail(e));
        caller.audit("ImportImage", &path.display().to_string(), reply)
    }
}
