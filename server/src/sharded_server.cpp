// sharded_server.cpp — see rvf/server/sharded_server.hpp.
#include <rvf/server/sharded_server.hpp>

namespace rvf::server {

Result<std::unique_ptr<ShardedServer>> ShardedServer::start(ShardedCollection coll, std::string root_path,
                                                            const ServerOptions &options) {
    std::unique_ptr<ShardedServer> s(new ShardedServer());
    s->coll_ = std::make_unique<ShardedCollection>(std::move(coll));
    if (options.tcp_port >= 0 || options.http_port < 0) {
        (void)s->shutdown();
        return Error{Status::InvalidOptions, "a sharded root is served over HTTP only (the TCP protocol serves one "
                                             "store): use --http PORT --tcp off"};
    }
    s->http_ = std::make_unique<HttpServer>(*s->coll_, std::move(root_path), options.http, options.access);
    auto p = s->http_->start(options.host, options.http_port);
    if (!p) {
        (void)s->shutdown();
        return p.error();
    }
    s->http_port_ = *p;
    return s;
}

ShardedServer::~ShardedServer() { (void)shutdown(); }

Result<void> ShardedServer::shutdown() {
    if (down_)
        return {};
    down_ = true;
    if (http_)
        http_->stop();
    return coll_->close();
}

} // namespace rvf::server
