// Persistent store of Responses API objects (issue 7, spec/api.md §5.4): one SQLite file in WAL mode,
// every write committed before the HTTP response goes out, so `previous_response_id`, GET and DELETE
// keep working after a restart or a kill -9. The store knows nothing of the Responses JSON shape: it
// keeps the response object and the conversation that produced it as JSON text, keyed by id.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

struct sqlite3;

namespace hy::store {

struct StoredResponse {
    std::string id;
    int64_t created_at = 0;
    std::string response_json;      // the response object as returned to the client
    std::string conversation_json;  // the input messages (OpenAI form) a continuation prepends
};

class ResponseStore {
  public:
    // Opens (creating the directory and the schema if needed) the database at `path`. Throws
    // hy::Error naming the path when it cannot be opened.
    explicit ResponseStore(const std::string& path);
    ~ResponseStore();
    ResponseStore(const ResponseStore&) = delete;
    ResponseStore& operator=(const ResponseStore&) = delete;

    void put(const StoredResponse& r);  // insert or replace; durable when it returns
    std::optional<StoredResponse> get(const std::string& id) const;
    bool remove(const std::string& id);  // false: no such id
    const std::string& path() const { return path_; }

  private:
    void exec(const char* sql) const;
    std::string path_;
    sqlite3* db_ = nullptr;
    mutable std::mutex mu_;  // one connection shared by the HTTP worker threads
};

using EnvLookup = std::function<const char*(const char*)>;
// NIM_CACHE_PATH (default $HOME/.cache/hyserve) + "/responses.sqlite3".
std::string default_store_path(const EnvLookup& env);

}  // namespace hy::store
