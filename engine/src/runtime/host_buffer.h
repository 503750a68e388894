// A 64-byte aligned host allocation (oneDNN and vector loops want it).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <utility>

namespace interstage {

class HostBuffer {
public:
    HostBuffer() = default;
    explicit HostBuffer(std::size_t bytes) : bytes_(bytes) {
        // Never null, even for empty tensors: a null pointer means "omitted".
        std::size_t rounded = ((bytes ? bytes : 1) + 63) / 64 * 64;
        data_ = std::aligned_alloc(64, rounded);
    }
    ~HostBuffer() { std::free(data_); }
    HostBuffer(HostBuffer&& other) noexcept { swap(other); }
    HostBuffer& operator=(HostBuffer&& other) noexcept {
        HostBuffer(std::move(other)).swap(*this);
        return *this;
    }
    HostBuffer(const HostBuffer&) = delete;
    HostBuffer& operator=(const HostBuffer&) = delete;

    void* data() const { return data_; }
    std::size_t bytes() const { return bytes_; }
    bool valid() const { return data_ != nullptr; }

private:
    void swap(HostBuffer& other) noexcept {
        std::swap(data_, other.data_);
        std::swap(bytes_, other.bytes_);
    }
    void* data_ = nullptr;
    std::size_t bytes_ = 0;
};

}  // namespace interstage
