#include "store/response_store.h"

#include <sqlite3.h>

#include <filesystem>

#include "core/error.h"

namespace hy::store {

namespace {

// A prepared statement that finalizes itself.
struct Stmt {
    sqlite3_stmt* s = nullptr;
    Stmt(sqlite3* db, const char* sql) {
        if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK)
            throw Error(std::string("response store: ") + sqlite3_errmsg(db), 500, "InternalServerError");
    }
    ~Stmt() { sqlite3_finalize(s); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    void bind(int i, const std::string& v) {
        sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    }
    void bind(int i, int64_t v) { sqlite3_bind_int64(s, i, v); }
    std::string text(int col) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
        return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s, col))) : std::string();
    }
};

Error store_error(sqlite3* db, const std::string& what) {
    return Error("response store: " + what + ": " + sqlite3_errmsg(db), 500, "InternalServerError");
}

}  // namespace

ResponseStore::ResponseStore(const std::string& path) : path_(path) {
    std::error_code ec;
    const auto dir = std::filesystem::path(path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    if (ec) throw Error("response store: cannot create " + dir.string() + ": " + ec.message(), 500);
    if (sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw Error("response store: cannot open " + path + ": " + msg, 500);
    }
    sqlite3_busy_timeout(db_, 5000);  // another server process on the same cache directory
    try {
        // WAL: a commit is one append to the log, readers never block the writer, and a process
        // killed mid-write loses nothing already committed. synchronous=FULL also survives power loss.
        exec("PRAGMA journal_mode=WAL");
        exec("PRAGMA synchronous=FULL");
        exec(
            "CREATE TABLE IF NOT EXISTS responses (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, "
            "response TEXT NOT NULL, conversation TEXT NOT NULL)");
    } catch (...) {
        sqlite3_close(db_);
        db_ = nullptr;
        throw;
    }
}

ResponseStore::~ResponseStore() {
    sqlite3_close(db_);
}

void ResponseStore::exec(const char* sql) const {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        const std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw Error("response store " + path_ + ": " + msg, 500, "InternalServerError");
    }
}

void ResponseStore::put(const StoredResponse& r) {
    std::lock_guard lock(mu_);
    Stmt st(db_,
            "INSERT OR REPLACE INTO responses (id, created_at, response, conversation) VALUES (?,?,?,?)");
    st.bind(1, r.id);
    st.bind(2, r.created_at);
    st.bind(3, r.response_json);
    st.bind(4, r.conversation_json);
    if (sqlite3_step(st.s) != SQLITE_DONE) throw store_error(db_, "cannot write " + r.id);
}

std::optional<StoredResponse> ResponseStore::get(const std::string& id) const {
    std::lock_guard lock(mu_);
    Stmt st(db_, "SELECT created_at, response, conversation FROM responses WHERE id = ?");
    st.bind(1, id);
    const int rc = sqlite3_step(st.s);
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) throw store_error(db_, "cannot read " + id);
    StoredResponse r;
    r.id = id;
    r.created_at = sqlite3_column_int64(st.s, 0);
    r.response_json = st.text(1);
    r.conversation_json = st.text(2);
    return r;
}

bool ResponseStore::remove(const std::string& id) {
    std::lock_guard lock(mu_);
    Stmt st(db_, "DELETE FROM responses WHERE id = ?");
    st.bind(1, id);
    if (sqlite3_step(st.s) != SQLITE_DONE) throw store_error(db_, "cannot delete " + id);
    return sqlite3_changes(db_) > 0;
}

std::string default_store_path(const EnvLookup& env) {
    std::string dir;
    if (const char* c = env("NIM_CACHE_PATH"); c && *c) {
        dir = c;
    } else {
        const char* home = env("HOME");
        dir = std::string(home && *home ? home : ".") + "/.cache/hyserve";
    }
    return dir + "/responses.sqlite3";
}

}  // namespace hy::store
