// server.cpp — see rvf/server/server.hpp.
#include <rvf/server/server.hpp>

namespace rvf::server {

Result<std::unique_ptr<Server>> Server::start(RvfStore store, const ServerOptions &options) {
    std::unique_ptr<Server> s(new Server());
    s->svc_ = std::make_unique<StoreService>(std::move(store), options.subscriber_queue);
    if (options.access.token.empty() && !options.access.no_auth) {
        (void)s->shutdown();
        return Error{Status::InvalidOptions, "ServerOptions::access needs a token (or no_auth = true to leave writes open)"};
    }
    if (options.http_port >= 0) {
        s->http_ = std::make_unique<HttpServer>(*s->svc_, options.http, options.access);
        auto p = s->http_->start(options.host, options.http_port);
        if (!p) {
            (void)s->shutdown();
            return p.error();
        }
        s->http_port_ = *p;
    }
    if (options.tcp_port >= 0) {
        s->tcp_ = std::make_unique<TcpServer>(*s->svc_, options.tcp, options.access);
        auto p = s->tcp_->start(options.host, options.tcp_port);
        if (!p) {
            (void)s->shutdown();
            return p.error();
        }
        s->tcp_port_ = *p;
    }
    return s;
}

Server::~Server() { (void)shutdown(); }

Result<void> Server::shutdown() {
    if (down_)
        return {};
    down_ = true;
    // Subscriptions first: SSE streams and TCP pushers would otherwise hold their threads.
    svc_->events().close_all();
    if (http_)
        http_->stop();
    if (tcp_)
        tcp_->stop();
    return svc_->close();
}

} // namespace rvf::server
