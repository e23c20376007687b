#include "model/gguf.h"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "core/error.h"

namespace hy {

namespace {

constexpr uint32_t kMaxDims = 4;   // GGML_MAX_DIMS
constexpr int kMaxArrayDepth = 4;  // arrays of arrays of ... (real files use none)
constexpr uint64_t kMaxAlignment = 1ull << 30;

std::string qname(std::string_view s) {
    std::string out = "'";
    for (char c : s.substr(0, 200)) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
    if (s.size() > 200) out += "...";
    return out + "'";
}

bool valid_type(uint32_t t) {
    return t <= static_cast<uint32_t>(GgufType::FLOAT64);
}

bool is_int_type(GgufType t) {
    switch (t) {
        case GgufType::UINT8:
        case GgufType::INT8:
        case GgufType::UINT16:
        case GgufType::INT16:
        case GgufType::UINT32:
        case GgufType::INT32:
        case GgufType::UINT64:
        case GgufType::INT64:
            return true;
        default:
            return false;
    }
}
bool is_signed_type(GgufType t) {
    return t == GgufType::INT8 || t == GgufType::INT16 || t == GgufType::INT32 || t == GgufType::INT64;
}

uint64_t load_le(const uint8_t* p, size_t n) {
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
    return v;
}

// The value of a scalar stored as zero-extended bits, as a signed 64-bit integer, double, ...
int64_t bits_to_signed(GgufType t, uint64_t bits) {
    switch (gguf_scalar_size(t)) {
        case 1:
            return static_cast<int8_t>(bits);
        case 2:
            return static_cast<int16_t>(bits);
        case 4:
            return static_cast<int32_t>(bits);
        default:
            return static_cast<int64_t>(bits);
    }
}
double bits_to_double(GgufType t, uint64_t bits) {
    if (t == GgufType::FLOAT32) {
        const uint32_t b = static_cast<uint32_t>(bits);
        float f;
        std::memcpy(&f, &b, 4);
        return f;
    }
    if (t == GgufType::FLOAT64) {
        double d;
        std::memcpy(&d, &bits, 8);
        return d;
    }
    if (is_signed_type(t)) return static_cast<double>(bits_to_signed(t, bits));
    return static_cast<double>(bits);
}

GgufValue scalar(GgufType t, uint64_t bits);

}  // namespace

size_t gguf_scalar_size(GgufType t) {
    switch (t) {
        case GgufType::UINT8:
        case GgufType::INT8:
        case GgufType::BOOL:
            return 1;
        case GgufType::UINT16:
        case GgufType::INT16:
            return 2;
        case GgufType::UINT32:
        case GgufType::INT32:
        case GgufType::FLOAT32:
            return 4;
        case GgufType::UINT64:
        case GgufType::INT64:
        case GgufType::FLOAT64:
            return 8;
        case GgufType::STRING:
        case GgufType::ARRAY:
            return 0;
    }
    return 0;
}

const char* gguf_type_name(GgufType t) {
    switch (t) {
        case GgufType::UINT8:
            return "u8";
        case GgufType::INT8:
            return "i8";
        case GgufType::UINT16:
            return "u16";
        case GgufType::INT16:
            return "i16";
        case GgufType::UINT32:
            return "u32";
        case GgufType::INT32:
            return "i32";
        case GgufType::FLOAT32:
            return "f32";
        case GgufType::BOOL:
            return "bool";
        case GgufType::STRING:
            return "string";
        case GgufType::ARRAY:
            return "array";
        case GgufType::UINT64:
            return "u64";
        case GgufType::INT64:
            return "i64";
        case GgufType::FLOAT64:
            return "f64";
    }
    return "?";
}

// ---------------------------------------------------------------------------------------------------
// GgufValue

// Builds values directly (the parser and the factories).
class GgufParser {
  public:
    static GgufValue make_scalar(GgufType t, uint64_t bits) {
        GgufValue v;
        v.type_ = t;
        v.bits_ = bits;
        return v;
    }
    static GgufValue& raw(GgufValue& v, GgufType elem) {
        v.type_ = GgufType::ARRAY;
        v.elem_ = elem;
        return v;
    }
    static std::vector<uint8_t>& raw_bytes(GgufValue& v) { return v.raw_; }
    static std::vector<std::string>& strs(GgufValue& v) { return v.strs_; }
    static std::vector<GgufValue>& arrs(GgufValue& v) { return v.arrs_; }
    static std::string& str(GgufValue& v) { return v.str_; }
    static void set_origin(GgufValue& v, std::shared_ptr<const std::string> o) { v.origin_ = std::move(o); }

    GgufParser(const uint8_t* data, size_t size, const std::string& name)
        : data_(data), size_(size), name_(name) {}
    GgufFile parse();

  private:
    [[noreturn]] void fail(const std::string& what) const {
        throw file_error(name_, what + " (at byte " + std::to_string(pos_) + ")");
    }
    size_t left() const { return size_ - pos_; }
    void need(uint64_t n, const std::string& what) const {
        if (n > left())
            fail(what + ": truncated (needs " + std::to_string(n) + " bytes, " + std::to_string(left()) +
                 " left)");
    }
    uint64_t read(size_t n, const std::string& what) {
        need(n, what);
        const uint64_t v = load_le(data_ + pos_, n);
        pos_ += n;
        return v;
    }
    uint32_t u32(const std::string& what) { return static_cast<uint32_t>(read(4, what)); }
    uint64_t u64(const std::string& what) { return read(8, what); }
    std::string string(const std::string& what) {
        const uint64_t len = u64(what);
        if (len > left())
            fail(what + ": string length " + std::to_string(len) + " past the end of the file (" +
                 std::to_string(left()) + " bytes left)");
        std::string s(reinterpret_cast<const char*>(data_ + pos_), static_cast<size_t>(len));
        pos_ += static_cast<size_t>(len);
        return s;
    }
    GgufType type(const std::string& what) {
        const uint32_t t = u32(what);
        if (!valid_type(t)) fail(what + ": unknown value type " + std::to_string(t));
        return static_cast<GgufType>(t);
    }
    GgufValue value(GgufType t, const std::string& what, int depth);

    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
    const std::string& name_;
};

namespace {
GgufValue scalar(GgufType t, uint64_t bits) {
    return GgufParser::make_scalar(t, bits);
}
}  // namespace

GgufValue GgufValue::u8(uint8_t v) {
    return scalar(GgufType::UINT8, v);
}
GgufValue GgufValue::i8(int8_t v) {
    return scalar(GgufType::INT8, static_cast<uint8_t>(v));
}
GgufValue GgufValue::u16(uint16_t v) {
    return scalar(GgufType::UINT16, v);
}
GgufValue GgufValue::i16(int16_t v) {
    return scalar(GgufType::INT16, static_cast<uint16_t>(v));
}
GgufValue GgufValue::u32(uint32_t v) {
    return scalar(GgufType::UINT32, v);
}
GgufValue GgufValue::i32(int32_t v) {
    return scalar(GgufType::INT32, static_cast<uint32_t>(v));
}
GgufValue GgufValue::u64(uint64_t v) {
    return scalar(GgufType::UINT64, v);
}
GgufValue GgufValue::i64(int64_t v) {
    return scalar(GgufType::INT64, static_cast<uint64_t>(v));
}
GgufValue GgufValue::f32(float v) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    return scalar(GgufType::FLOAT32, b);
}
GgufValue GgufValue::f64(double v) {
    uint64_t b;
    std::memcpy(&b, &v, 8);
    return scalar(GgufType::FLOAT64, b);
}
GgufValue GgufValue::boolean(bool v) {
    return scalar(GgufType::BOOL, v ? 1 : 0);
}
GgufValue GgufValue::string(std::string v) {
    GgufValue out;
    out.type_ = GgufType::STRING;
    out.str_ = std::move(v);
    return out;
}

GgufValue GgufValue::array(GgufType elem, std::vector<GgufValue> elems) {
    if (!valid_type(static_cast<uint32_t>(elem))) throw Error("GgufValue::array: invalid element type");
    GgufValue out;
    out.type_ = GgufType::ARRAY;
    out.elem_ = elem;
    const size_t es = gguf_scalar_size(elem);
    for (auto& e : elems) {
        if (e.type_ != elem)
            throw Error(std::string("GgufValue::array: element of type ") + gguf_type_name(e.type_) +
                        " in an array of " + gguf_type_name(elem));
        if (elem == GgufType::STRING) {
            out.strs_.push_back(std::move(e.str_));
        } else if (elem == GgufType::ARRAY) {
            out.arrs_.push_back(std::move(e));
        } else {
            for (size_t b = 0; b < es; ++b) out.raw_.push_back(static_cast<uint8_t>(e.bits_ >> (8 * b)));
        }
    }
    return out;
}

namespace {
template <typename T>
GgufValue pack_array(GgufType elem, const std::vector<T>& v) {
    GgufValue out;
    GgufParser::raw(out, elem);
    auto& raw = GgufParser::raw_bytes(out);
    raw.resize(v.size() * sizeof(T));
    if (!v.empty()) std::memcpy(raw.data(), v.data(), raw.size());
    return out;
}
}  // namespace

GgufValue GgufValue::string_array(std::vector<std::string> v) {
    GgufValue out;
    GgufParser::raw(out, GgufType::STRING);
    GgufParser::strs(out) = std::move(v);
    return out;
}
GgufValue GgufValue::i32_array(const std::vector<int32_t>& v) {
    return pack_array(GgufType::INT32, v);
}
GgufValue GgufValue::u32_array(const std::vector<uint32_t>& v) {
    return pack_array(GgufType::UINT32, v);
}
GgufValue GgufValue::i64_array(const std::vector<int64_t>& v) {
    return pack_array(GgufType::INT64, v);
}
GgufValue GgufValue::f32_array(const std::vector<float>& v) {
    return pack_array(GgufType::FLOAT32, v);
}
GgufValue GgufValue::bool_array(const std::vector<bool>& v) {
    std::vector<uint8_t> b(v.begin(), v.end());
    return pack_array(GgufType::BOOL, b);
}

bool GgufValue::is_int() const {
    return is_int_type(type_);
}
bool GgufValue::is_float() const {
    return type_ == GgufType::FLOAT32 || type_ == GgufType::FLOAT64;
}

void GgufValue::mismatch(const char* wanted) const {
    std::string what = "metadata key " + qname(key_.empty() ? std::string("<value>") : key_) + " is " +
                       gguf_type_name(type_);
    if (type_ == GgufType::ARRAY) what += std::string(" of ") + gguf_type_name(elem_);
    what += std::string(", expected ") + wanted;
    if (origin_) throw file_error(*origin_, what);
    throw Error(what, 500, "model_file_error");
}

int64_t GgufValue::as_int() const {
    if (!is_int()) mismatch("an integer");
    if (type_ == GgufType::UINT64 && bits_ > static_cast<uint64_t>(INT64_MAX))
        mismatch("an integer below 2^63");
    return is_signed_type(type_) ? bits_to_signed(type_, bits_) : static_cast<int64_t>(bits_);
}

uint64_t GgufValue::as_uint() const {
    if (!is_int()) mismatch("an unsigned integer");
    if (is_signed_type(type_)) {
        const int64_t v = bits_to_signed(type_, bits_);
        if (v < 0) mismatch("a non-negative integer");
        return static_cast<uint64_t>(v);
    }
    return bits_;
}

double GgufValue::as_float() const {
    if (!is_int() && !is_float()) mismatch("a number");
    return bits_to_double(type_, bits_);
}

bool GgufValue::as_bool() const {
    if (type_ != GgufType::BOOL) mismatch("a bool");
    return bits_ != 0;
}

const std::string& GgufValue::as_string() const {
    if (type_ != GgufType::STRING) mismatch("a string");
    return str_;
}

GgufType GgufValue::array_type() const {
    if (type_ != GgufType::ARRAY) mismatch("an array");
    return elem_;
}

size_t GgufValue::size() const {
    if (type_ != GgufType::ARRAY) mismatch("an array");
    if (elem_ == GgufType::STRING) return strs_.size();
    if (elem_ == GgufType::ARRAY) return arrs_.size();
    return raw_.size() / gguf_scalar_size(elem_);
}

GgufValue GgufValue::at(size_t i) const {
    if (i >= size()) mismatch(("an array with more than " + std::to_string(i) + " elements").c_str());
    GgufValue out;
    if (elem_ == GgufType::STRING) {
        out = GgufValue::string(strs_[i]);
    } else if (elem_ == GgufType::ARRAY) {
        out = arrs_[i];
    } else {
        const size_t es = gguf_scalar_size(elem_);
        out = scalar(elem_, load_le(raw_.data() + i * es, es));
    }
    out.key_ = key_ + "[" + std::to_string(i) + "]";
    out.origin_ = origin_;
    return out;
}

std::vector<int64_t> GgufValue::as_int_array() const {
    if (type_ != GgufType::ARRAY || !(is_int_type(elem_) || elem_ == GgufType::BOOL))
        mismatch("an array of integers");
    const size_t es = gguf_scalar_size(elem_), n = raw_.size() / es;
    std::vector<int64_t> out(n);
    for (size_t i = 0; i < n; ++i) {
        const uint64_t bits = load_le(raw_.data() + i * es, es);
        if (elem_ == GgufType::UINT64 && bits > static_cast<uint64_t>(INT64_MAX))
            mismatch("an array of integers below 2^63");
        out[i] = is_signed_type(elem_) ? bits_to_signed(elem_, bits) : static_cast<int64_t>(bits);
    }
    return out;
}

std::vector<double> GgufValue::as_float_array() const {
    if (type_ != GgufType::ARRAY ||
        !(is_int_type(elem_) || elem_ == GgufType::FLOAT32 || elem_ == GgufType::FLOAT64))
        mismatch("an array of numbers");
    const size_t es = gguf_scalar_size(elem_), n = raw_.size() / es;
    std::vector<double> out(n);
    for (size_t i = 0; i < n; ++i) out[i] = bits_to_double(elem_, load_le(raw_.data() + i * es, es));
    return out;
}

const std::vector<std::string>& GgufValue::as_string_array() const {
    if (type_ != GgufType::ARRAY || elem_ != GgufType::STRING) mismatch("an array of strings");
    return strs_;
}

const std::vector<GgufValue>& GgufValue::as_array_array() const {
    if (type_ != GgufType::ARRAY || elem_ != GgufType::ARRAY) mismatch("an array of arrays");
    return arrs_;
}

std::string GgufValue::to_string(size_t max_elems) const {
    std::ostringstream os;
    switch (type_) {
        case GgufType::STRING: {
            std::string s = str_.size() > 200 ? str_.substr(0, 200) + "..." : str_;
            os << '"' << s << '"';
            break;
        }
        case GgufType::BOOL:
            os << (bits_ ? "true" : "false");
            break;
        case GgufType::FLOAT32:
        case GgufType::FLOAT64:
            os << bits_to_double(type_, bits_);
            break;
        case GgufType::ARRAY: {
            const size_t n = size();
            os << '[';
            for (size_t i = 0; i < n && i < max_elems; ++i)
                os << (i ? ", " : "") << at(i).to_string(max_elems);
            if (n > max_elems) os << ", ... (" << n << " " << gguf_type_name(elem_) << ")";
            os << ']';
            break;
        }
        default:
            if (is_signed_type(type_))
                os << bits_to_signed(type_, bits_);
            else
                os << bits_;
    }
    return os.str();
}

// ---------------------------------------------------------------------------------------------------
// Parsing

GgufValue GgufParser::value(GgufType t, const std::string& what, int depth) {
    if (t == GgufType::STRING) return GgufValue::string(string(what));
    if (t != GgufType::ARRAY) {
        const size_t n = gguf_scalar_size(t);
        return make_scalar(t, read(n, what));
    }
    if (depth >= kMaxArrayDepth) fail(what + ": arrays nested deeper than " + std::to_string(kMaxArrayDepth));
    const GgufType elem = type(what + ": array element type");
    const uint64_t count = u64(what + ": array length");
    // Every element takes at least this many bytes, so a count larger than the rest of the file allows
    // is rejected before anything is allocated.
    const uint64_t min_elem = elem == GgufType::STRING  ? 8
                              : elem == GgufType::ARRAY ? 12
                                                        : gguf_scalar_size(elem);
    if (count > left() / min_elem)
        fail(what + ": array length " + std::to_string(count) + " of " + gguf_type_name(elem) +
             " past the end of the file (" + std::to_string(left()) + " bytes left)");
    GgufValue out;
    raw(out, elem);
    if (elem == GgufType::STRING) {
        out.strs_.reserve(static_cast<size_t>(count));
        for (uint64_t i = 0; i < count; ++i)
            out.strs_.push_back(string(what + "[" + std::to_string(i) + "]"));
    } else if (elem == GgufType::ARRAY) {
        out.arrs_.reserve(static_cast<size_t>(count));
        for (uint64_t i = 0; i < count; ++i)
            out.arrs_.push_back(value(GgufType::ARRAY, what + "[" + std::to_string(i) + "]", depth + 1));
    } else {
        const size_t n = static_cast<size_t>(count) * gguf_scalar_size(elem);
        out.raw_.assign(data_ + pos_, data_ + pos_ + n);
        pos_ += n;
    }
    return out;
}

GgufFile GgufParser::parse() {
    GgufFile f;
    f.path = name_;
    need(4, "magic");
    if (std::memcmp(data_, "GGUF", 4) != 0) fail("bad magic (not a GGUF file)");
    pos_ = 4;
    f.version = u32("version");
    if (f.version == 0x03000000u || f.version == 0x02000000u) fail("big-endian GGUF is not supported");
    if (f.version != 2 && f.version != 3) fail("unsupported GGUF version " + std::to_string(f.version));
    const uint64_t n_tensors = u64("tensor count");
    const uint64_t n_kv = u64("metadata key count");
    // Minimum encoded sizes: a key/value pair is >= 13 bytes, a tensor info >= 24. Counts beyond what
    // the rest of the file could hold are rejected before anything is reserved.
    if (n_kv > left() / 13)
        fail("metadata key count " + std::to_string(n_kv) + " is larger than the file could hold");

    auto origin = std::make_shared<const std::string>(name_);
    f.metadata.reserve(static_cast<size_t>(n_kv));
    for (uint64_t i = 0; i < n_kv; ++i) {
        std::string key = string("metadata key #" + std::to_string(i));
        const std::string what = "metadata key " + qname(key);
        if (f.key_index.count(key)) fail("duplicate " + what);
        const GgufType t = type(what + ": value type");
        GgufValue v = value(t, what, 0);
        v.key_ = key;
        v.origin_ = origin;
        f.key_index.emplace(key, f.metadata.size());
        f.metadata.emplace_back(std::move(key), std::move(v));
    }
    if (const GgufValue* a = f.find("general.alignment")) {
        if (!a->is_int())
            fail("metadata key 'general.alignment' is " + std::string(gguf_type_name(a->type())) +
                 ", expected an integer");
        const int64_t al = a->as_int();
        if (al <= 0 || (al & (al - 1)) != 0 || static_cast<uint64_t>(al) > kMaxAlignment)
            fail("metadata key 'general.alignment' = " + std::to_string(al) +
                 " is not a power of two between 1 and 2^30");
        f.alignment = static_cast<uint64_t>(al);
    }

    if (n_tensors > left() / 24)
        fail("tensor count " + std::to_string(n_tensors) + " is larger than the file could hold");

    struct Info {
        uint64_t offset, nbytes;
        size_t index;
    };
    std::vector<Info> infos;
    f.tensors.reserve(static_cast<size_t>(n_tensors));
    for (uint64_t i = 0; i < n_tensors; ++i) {
        TensorView t;
        t.name = string("tensor #" + std::to_string(i) + " name");
        const std::string what = "tensor " + qname(t.name);
        if (f.tensor_index.count(t.name)) fail("duplicate " + what);
        const uint32_t n_dims = u32(what + ": n_dims");
        if (n_dims > kMaxDims)
            fail(what + ": n_dims " + std::to_string(n_dims) + " > " + std::to_string(kMaxDims));
        std::vector<int64_t> ne(n_dims);
        // The product of the non-zero dims must fit in int64 (so that TensorView::numel() cannot
        // overflow in any order, even when another dim is 0).
        uint64_t nonzero = 1;
        bool any_zero = false;
        for (uint32_t d = 0; d < n_dims; ++d) {
            const uint64_t v = u64(what + ": dim " + std::to_string(d));
            if (v == 0) any_zero = true;
            if (v > static_cast<uint64_t>(INT64_MAX) ||
                __builtin_mul_overflow(nonzero, v ? v : 1, &nonzero) ||
                nonzero > static_cast<uint64_t>(INT64_MAX))
                fail(what + ": dims overflow the element count");
            ne[d] = static_cast<int64_t>(v);
        }
        const uint64_t numel = any_zero ? 0 : nonzero;
        const uint32_t gt = u32(what + ": type");
        if (!ggml_type_to_dtype(gt, &t.dtype)) fail(what + ": unsupported ggml type " + std::to_string(gt));
        const uint64_t row = n_dims ? static_cast<uint64_t>(ne[0]) : 1;
        if (!dtype_row_ok(t.dtype, row))
            fail(what + ": row length " + std::to_string(row) + " is not a multiple of the " +
                 dtype_name(t.dtype) + " block size " + std::to_string(dtype_info(t.dtype).block_elems));
        const uint64_t offset = u64(what + ": offset");
        if (offset % f.alignment != 0)
            fail(what + ": data offset " + std::to_string(offset) + " is not a multiple of the alignment " +
                 std::to_string(f.alignment));
        // numel fits int64; the byte count (numel / block * block_bytes) can still overflow.
        const uint64_t blocks = numel / static_cast<uint64_t>(dtype_info(t.dtype).block_elems);
        uint64_t nbytes;
        if (__builtin_mul_overflow(blocks, static_cast<uint64_t>(dtype_info(t.dtype).block_bytes), &nbytes))
            fail(what + ": byte size overflows");
        t.shape.assign(ne.rbegin(), ne.rend());
        t.nbytes = nbytes;
        infos.push_back({offset, nbytes, f.tensors.size()});
        f.tensor_index.emplace(t.name, f.tensors.size());
        f.tensors.push_back(std::move(t));
    }

    // The data area starts at the next multiple of the alignment.
    uint64_t data_off = pos_;
    if (data_off % f.alignment) data_off += f.alignment - data_off % f.alignment;
    f.data_offset = data_off;
    // (A data area starting past EOF is reported below, by the first tensor that has bytes.)
    const uint64_t area = data_off < size_ ? size_ - data_off : 0;
    for (const Info& in : infos) {
        TensorView& t = f.tensors[in.index];
        if (in.offset > area || in.nbytes > area - in.offset)
            throw file_error(name_, "tensor " + qname(t.name) + ": data [" + std::to_string(in.offset) +
                                        ", +" + std::to_string(in.nbytes) + ") is outside the data area (" +
                                        std::to_string(area) + " bytes)");
        t.data = data_ + std::min<uint64_t>(data_off + in.offset, size_);  // nbytes == 0 may sit at EOF
    }
    std::sort(infos.begin(), infos.end(), [](const Info& a, const Info& b) {
        return a.offset != b.offset ? a.offset < b.offset : a.nbytes < b.nbytes;
    });
    const Info* prev = nullptr;
    for (const Info& in : infos) {
        if (in.nbytes == 0) continue;
        if (prev && in.offset < prev->offset + prev->nbytes)
            throw file_error(name_, "tensor " + qname(f.tensors[in.index].name) + " overlaps tensor " +
                                        qname(f.tensors[prev->index].name));
        prev = &in;
    }
    return f;
}

// ---------------------------------------------------------------------------------------------------

bool ggml_type_to_dtype(uint32_t ggml_type, DType* out) {
    switch (ggml_type) {
        case 0:
            *out = DType::F32;
            return true;
        case 1:
            *out = DType::F16;
            return true;
        case 2:
            *out = DType::Q4_0;
            return true;
        case 8:
            *out = DType::Q8_0;
            return true;
        case 12:
            *out = DType::Q4_K;
            return true;
        case 14:
            *out = DType::Q6_K;
            return true;
        case 24:
            *out = DType::I8;
            return true;
        case 25:
            *out = DType::I16;
            return true;
        case 26:
            *out = DType::I32;
            return true;
        case 27:
            *out = DType::I64;
            return true;
        case 28:
            *out = DType::F64;
            return true;
        case 30:
            *out = DType::BF16;
            return true;
        default:
            return false;
    }
}

uint32_t dtype_to_ggml_type(DType t) {
    switch (t) {
        case DType::F32:
            return 0;
        case DType::F16:
            return 1;
        case DType::Q4_0:
            return 2;
        case DType::Q8_0:
            return 8;
        case DType::Q4_K:
            return 12;
        case DType::Q6_K:
            return 14;
        case DType::I8:
            return 24;
        case DType::I16:
            return 25;
        case DType::I32:
            return 26;
        case DType::I64:
            return 27;
        case DType::F64:
            return 28;
        case DType::BF16:
            return 30;
        default:
            break;
    }
    throw Error(std::string("dtype ") + dtype_name(t) + " cannot be stored in GGUF");
}

const GgufValue* GgufFile::find(std::string_view key) const {
    if (key_index.size() == metadata.size()) {
        auto it = key_index.find(std::string(key));
        return it == key_index.end() ? nullptr : &metadata[it->second].second;
    }
    for (const auto& [k, v] : metadata)
        if (k == key) return &v;
    return nullptr;
}

const GgufValue& GgufFile::get(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) throw file_error(path, "missing metadata key " + qname(key));
    return *v;
}

const TensorView* GgufFile::find_tensor(std::string_view name) const {
    if (tensor_index.size() == tensors.size()) {
        auto it = tensor_index.find(std::string(name));
        return it == tensor_index.end() ? nullptr : &tensors[it->second];
    }
    for (const TensorView& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

const TensorView& GgufFile::get_tensor(std::string_view name) const {
    const TensorView* t = find_tensor(name);
    if (!t) throw file_error(path, "missing tensor " + qname(name));
    return *t;
}

GgufFile parse_gguf(const uint8_t* data, size_t size, const std::string& name) {
    return GgufParser(data, size, name).parse();
}

GgufFile open_gguf(const std::string& path, FileResidency residency) {
    auto file = MappedFile::open(path, residency);
    GgufFile f = parse_gguf(file->data(), file->size(), path);
    f.file = std::move(file);
    return f;
}

}  // namespace hy
