// The compute context: one Vulkan device and compute queue per executor
// (on the process's one instance), with the pieces every run needs (command buffer + fence,
// pipelines built lazily from the embedded SPIR-V, descriptor pools,
// timestamp queries) and buffer allocation that reports every
// vkAllocateMemory / vkFreeMemory to the MemoryTracker.
#pragma once

#include <vulkan/vulkan.h>

#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "interstage/graph.h"
#include "interstage/memory.h"
#include "interstage/memory_budget.h"
#include "interstage/status.h"
#include "memory/memory_tracker.h"

namespace interstage::vulkan {

std::string resultName(VkResult result);
// Ok for VK_SUCCESS; OutOfMemory for the out-of-memory results; DeviceLost
// for VK_ERROR_DEVICE_LOST; Internal otherwise. `what` names the call for
// the message.
Status check(VkResult result, const std::string& what);

// One VkBuffer bound to its own VkDeviceMemory.
struct Buffer {
    VkBuffer buffer = VK_NULL_HANDLE;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkDeviceSize bytes = 0;  // bytes reported to the tracker (the memory's allocation size)
    void* mapped = nullptr;  // host-visible buffers only
    MemoryCategory category = MemoryCategory::Interstage;
    ValueId tensor = kNoValue;
    bool valid() const { return buffer != VK_NULL_HANDLE; }
};

struct Pipeline {
    VkDescriptorSetLayout setLayout = VK_NULL_HANDLE;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    VkPipeline pipeline = VK_NULL_HANDLE;
    uint32_t bindings = 0;
};

// Push constants: every pipeline declares this many bytes (the minimum
// every device guarantees), so kernels can pass any struct up to it.
constexpr uint32_t kPushConstantBytes = 128;

// The process's Vulkan instance (a second one with the validation layer
// when asked for), made on first use and never destroyed: see the .cpp.
Result<VkInstance> sharedInstance(bool validation);

class Context {
public:
    // Validation (VK_LAYER_KHRONOS_validation + a messenger counting
    // errors) is enabled when INTERSTAGE_VULKAN_VALIDATION=1 and the layer
    // is installed. The messenger sees every message of the instance, so
    // contexts alive at the same time count each other's errors too.
    // fp16Storage enables 16-bit storage buffers (the shaders' _fp16
    // variants), Unsupported with a message where the device lacks them.
    static Result<std::unique_ptr<Context>> create(int deviceIndex, MemoryTracker& tracker, bool fp16Storage = false);
    ~Context();
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    VkDevice device() const { return device_; }
    const VkPhysicalDeviceProperties& properties() const { return properties_; }
    // The offset alignment descriptor bindings need (>= 4).
    VkDeviceSize storageAlignment() const;
    bool validationEnabled() const { return messenger_ != VK_NULL_HANDLE; }
    // Validation messages of error severity seen so far.
    int validationErrors() const { return validationErrors_.load(); }
    const std::string& lastValidationError() const { return lastValidationError_; }

    // Device-local (hostVisible false) or host-visible, coherent and
    // mapped. bytes 0 is rounded up to 4 (Vulkan has no empty buffers).
    Result<Buffer> createBuffer(std::size_t bytes, bool hostVisible, MemoryCategory category, ValueId tensor);
    void destroyBuffer(Buffer& buffer);

    // The pipeline of shaders/<name>.comp with `bindings` storage buffers.
    // The shader's pipeline with `bindings` storage buffers, built on first
    // use; one per distinct `constants` (specialization constants 0..n-1).
    Result<const Pipeline*> pipeline(std::string_view name, uint32_t bindings, std::span<const int32_t> constants = {});
    Result<VkDescriptorSet> allocateDescriptorSet(const Pipeline& pipeline);
    Status resetDescriptors();

    // The one command buffer: begin() opens it, submitAndWait() runs it.
    Result<VkCommandBuffer> begin();
    Status submitAndWait();
    // After VK_ERROR_DEVICE_LOST the device is never used again: every call
    // that would touch it returns lostStatus(); destroying objects still
    // works (Vulkan allows it on a lost device) so nothing leaks.
    bool lost() const { return lost_; }
    Status lostStatus() const;
    // Tests: the n-th vkQueueSubmit from now is not made and reports
    // VK_ERROR_DEVICE_LOST instead (0: off).
    void loseDeviceAtNthSubmitForTesting(int n) { loseAtSubmit_ = n; }
    // Drops a half-recorded command buffer (after an error while recording).
    void discard();
    bool recording() const { return recording_; }

    // Timestamp queries: a pool of at least `count`; none when the queue
    // cannot write timestamps.
    Result<VkQueryPool> timestampPool(uint32_t count);
    bool timestampsSupported() const { return timestampBits_ > 0; }

    // VK_EXT_memory_budget, enabled when the device offers it: the bytes
    // this process uses of the device-local heaps as the driver counts them
    // (our buffers plus the driver's own: pipelines, descriptor pools,
    // alignment). Safe to call from another thread during a run.
    bool memoryBudgetSupported() const { return memoryBudget_; }
    std::size_t deviceHeapUsageBytes() const;
    // The automatic budget of a session on this device: the largest
    // device-local heap's budget (VK_EXT_memory_budget's heapBudget: what
    // this process can still get, others' use deducted) where the driver
    // gives one, else that heap's size; INTERSTAGE_DEVICE_AVAILABLE_MEMORY
    // overrides it (tests simulate a small device).
    MemoryBudget deviceBudget() const;
    double timestampPeriodNs() const { return properties_.limits.timestampPeriod; }

private:
    Context(MemoryTracker& tracker) : tracker_(tracker) {}
    Status init(int deviceIndex, bool fp16Storage);
    Status pickQueueFamily();
    Status require16BitStorage(VkPhysicalDevice16BitStorageFeatures& features) const;
    static VKAPI_ATTR VkBool32 VKAPI_CALL onMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                    VkDebugUtilsMessageTypeFlagsEXT types,
                                                    const VkDebugUtilsMessengerCallbackDataEXT* data, void* user);
    Result<uint32_t> memoryType(uint32_t typeBits, bool hostVisible) const;
    // check(), except that VK_ERROR_DEVICE_LOST marks the context lost and
    // gives lostStatus().
    Status checkDevice(VkResult result, const char* what);

    MemoryTracker& tracker_;
    VkInstance instance_ = VK_NULL_HANDLE;  // shared, not owned
    VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    VkPhysicalDeviceProperties properties_{};
    VkPhysicalDeviceMemoryProperties memory_{};
    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    uint32_t queueFamily_ = 0;
    uint32_t timestampBits_ = 0;
    bool memoryBudget_ = false;
    VkCommandPool commandPool_ = VK_NULL_HANDLE;
    VkCommandBuffer commands_ = VK_NULL_HANDLE;
    VkFence fence_ = VK_NULL_HANDLE;
    bool recording_ = false;
    VkPipelineCache pipelineCache_ = VK_NULL_HANDLE;
    std::map<std::string, Pipeline, std::less<>> pipelines_;
    std::vector<VkDescriptorPool> descriptorPools_;
    size_t currentPool_ = 0;
    VkQueryPool queryPool_ = VK_NULL_HANDLE;
    uint32_t queryCount_ = 0;
    bool lost_ = false;
    std::string lostIn_;  // the call that reported the loss
    int loseAtSubmit_ = 0;
    std::atomic<int> validationErrors_{0};
    std::string lastValidationError_;
};

}  // namespace interstage::vulkan
