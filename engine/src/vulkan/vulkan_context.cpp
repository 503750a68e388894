// Instance, device and the per-context objects. Every Vulkan call's result
// is checked and turned into a Status; nothing here aborts.
#include "vulkan/vulkan_context.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "interstage/format.h"
#include "memory/available_memory.h"
#include "vulkan/shader_code.h"

namespace interstage::vulkan {

namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";
// Sets per descriptor pool; more pools are added when a run needs them.
constexpr uint32_t kSetsPerPool = 512;
constexpr uint32_t kDescriptorsPerSet = 4;

bool validationRequested() {
    const char* env = std::getenv("INTERSTAGE_VULKAN_VALIDATION");
    return env && std::strcmp(env, "1") == 0;
}

bool layerAvailable(const char* name) {
    uint32_t count = 0;
    if (vkEnumerateInstanceLayerProperties(&count, nullptr) != VK_SUCCESS) return false;
    std::vector<VkLayerProperties> layers(count);
    if (vkEnumerateInstanceLayerProperties(&count, layers.data()) != VK_SUCCESS) return false;
    return std::any_of(layers.begin(), layers.end(),
                       [&](const auto& l) { return std::strcmp(l.layerName, name) == 0; });
}

}  // namespace

// One instance per process (two when validation is asked for), made on
// first use and never destroyed. The loader loads the driver when an
// instance is made and unloads it when the last one goes: with an instance
// per session, every session loaded lavapipe (and LLVM in it) again, which
// was slow and left the heap more fragmented after each session
// (tests/test_long_session). Never destroyed because tearing it down from
// a static destructor would race the driver's own exit handlers; the OS
// takes it back with the process.
Result<VkInstance> sharedInstance(bool validation) {
    static std::mutex mutex;
    static VkInstance instances[2] = {VK_NULL_HANDLE, VK_NULL_HANDLE};
    std::lock_guard lock(mutex);
    VkInstance& instance = instances[validation ? 1 : 0];
    if (instance) return instance;
    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "interstage";
    app.apiVersion = VK_API_VERSION_1_1;
    VkInstanceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    info.pApplicationInfo = &app;
    const char* extension = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
    if (validation) {
        info.enabledLayerCount = 1;
        info.ppEnabledLayerNames = &kValidationLayer;
        info.enabledExtensionCount = 1;
        info.ppEnabledExtensionNames = &extension;
    }
    VkResult result = vkCreateInstance(&info, nullptr, &instance);
    if (result != VK_SUCCESS) {
        instance = VK_NULL_HANDLE;  // a driver installed later is found on the next try
        return Status(StatusCode::NotFound, "no Vulkan: cannot create an instance (" + resultName(result) + ")");
    }
    return instance;
}

std::string resultName(VkResult result) {
    switch (result) {
        case VK_SUCCESS:
            return "VK_SUCCESS";
        case VK_NOT_READY:
            return "VK_NOT_READY";
        case VK_TIMEOUT:
            return "VK_TIMEOUT";
        case VK_INCOMPLETE:
            return "VK_INCOMPLETE";
        case VK_ERROR_OUT_OF_HOST_MEMORY:
            return "VK_ERROR_OUT_OF_HOST_MEMORY";
        case VK_ERROR_OUT_OF_DEVICE_MEMORY:
            return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
        case VK_ERROR_INITIALIZATION_FAILED:
            return "VK_ERROR_INITIALIZATION_FAILED";
        case VK_ERROR_DEVICE_LOST:
            return "VK_ERROR_DEVICE_LOST";
        case VK_ERROR_MEMORY_MAP_FAILED:
            return "VK_ERROR_MEMORY_MAP_FAILED";
        case VK_ERROR_LAYER_NOT_PRESENT:
            return "VK_ERROR_LAYER_NOT_PRESENT";
        case VK_ERROR_EXTENSION_NOT_PRESENT:
            return "VK_ERROR_EXTENSION_NOT_PRESENT";
        case VK_ERROR_FEATURE_NOT_PRESENT:
            return "VK_ERROR_FEATURE_NOT_PRESENT";
        case VK_ERROR_INCOMPATIBLE_DRIVER:
            return "VK_ERROR_INCOMPATIBLE_DRIVER";
        case VK_ERROR_TOO_MANY_OBJECTS:
            return "VK_ERROR_TOO_MANY_OBJECTS";
        case VK_ERROR_FRAGMENTED_POOL:
            return "VK_ERROR_FRAGMENTED_POOL";
        case VK_ERROR_OUT_OF_POOL_MEMORY:
            return "VK_ERROR_OUT_OF_POOL_MEMORY";
        default:
            return "VkResult " + std::to_string(static_cast<int>(result));
    }
}

Status check(VkResult result, const std::string& what) {
    if (result == VK_SUCCESS) return Status::ok();
    if (result == VK_ERROR_DEVICE_LOST)
        return Status(StatusCode::DeviceLost, what + " failed: the Vulkan device was lost (VK_ERROR_DEVICE_LOST)");
    const bool oom = result == VK_ERROR_OUT_OF_HOST_MEMORY || result == VK_ERROR_OUT_OF_DEVICE_MEMORY;
    return Status(oom ? StatusCode::OutOfMemory : StatusCode::Internal, what + " failed: " + resultName(result));
}

std::size_t Context::deviceHeapUsageBytes() const {
    if (!memoryBudget_) return 0;
    VkPhysicalDeviceMemoryBudgetPropertiesEXT budget{};
    budget.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT;
    VkPhysicalDeviceMemoryProperties2 properties{};
    properties.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2;
    properties.pNext = &budget;
    vkGetPhysicalDeviceMemoryProperties2(physical_, &properties);
    std::size_t used = 0;
    for (uint32_t h = 0; h < properties.memoryProperties.memoryHeapCount; ++h)
        if (properties.memoryProperties.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
            used += static_cast<std::size_t>(budget.heapUsage[h]);
    return used;
}

MemoryBudget Context::deviceBudget() const {
    MemoryBudget budget;
    budget.automatic = true;
    if (const std::size_t simulated = byteCountFromEnvironment("INTERSTAGE_DEVICE_AVAILABLE_MEMORY")) {
        budget.bytes = simulated;
        budget.source = "device: " + formatBytes(double(simulated)) + " (INTERSTAGE_DEVICE_AVAILABLE_MEMORY)";
        return budget;
    }
    VkPhysicalDeviceMemoryBudgetPropertiesEXT heapBudgets{};
    heapBudgets.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT;
    VkPhysicalDeviceMemoryProperties2 properties{};
    properties.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2;
    if (memoryBudget_) properties.pNext = &heapBudgets;
    vkGetPhysicalDeviceMemoryProperties2(physical_, &properties);
    // Tensors and weights go to one device-local heap: the largest bounds
    // what a plan can get.
    const VkPhysicalDeviceMemoryProperties& memory = properties.memoryProperties;
    uint32_t heap = memory.memoryHeapCount;
    for (uint32_t h = 0; h < memory.memoryHeapCount; ++h)
        if ((memory.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) &&
            (heap == memory.memoryHeapCount || memory.memoryHeaps[h].size > memory.memoryHeaps[heap].size))
            heap = h;
    if (heap == memory.memoryHeapCount) {
        budget.source = std::string("none: '") + properties_.deviceName + "' reports no device-local heap";
        return budget;
    }
    const std::size_t size = static_cast<std::size_t>(memory.memoryHeaps[heap].size);
    if (memoryBudget_ && heapBudgets.heapBudget[heap] > 0) {
        budget.bytes = static_cast<std::size_t>(heapBudgets.heapBudget[heap]);
        budget.source =
            "device: heap budget of the " + formatBytes(double(size)) + " device-local heap (VK_EXT_memory_budget)";
    } else {
        budget.bytes = size;
        budget.source =
            "device: the " + formatBytes(double(size)) + " device-local heap (its size: no VK_EXT_memory_budget)";
    }
    return budget;
}

VKAPI_ATTR VkBool32 VKAPI_CALL Context::onMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                  VkDebugUtilsMessageTypeFlagsEXT,
                                                  const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
    auto* self = static_cast<Context*>(user);
    if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) {
        if (self->validationErrors_.fetch_add(1) == 0 && data && data->pMessage)
            self->lastValidationError_ = data->pMessage;
    }
    return VK_FALSE;
}

Result<std::unique_ptr<Context>> Context::create(int deviceIndex, MemoryTracker& tracker, bool fp16Storage) {
    std::unique_ptr<Context> context(new Context(tracker));
    IS_RETURN_IF_ERROR(context->init(deviceIndex, fp16Storage));
    return context;
}

// Prefer a compute-only family (a dedicated async compute queue), else any with compute.
Status Context::pickQueueFamily() {
    uint32_t familyCount = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(physical_, &familyCount, nullptr);
    std::vector<VkQueueFamilyProperties> families(familyCount);
    vkGetPhysicalDeviceQueueFamilyProperties(physical_, &familyCount, families.data());
    for (int pass = 0; pass < 2; ++pass)
        for (uint32_t f = 0; f < familyCount; ++f) {
            const auto flags = families[f].queueFlags;
            if (!(flags & VK_QUEUE_COMPUTE_BIT) || (pass == 0 && (flags & VK_QUEUE_GRAPHICS_BIT))) continue;
            queueFamily_ = f;
            timestampBits_ = families[f].timestampValidBits;
            return Status::ok();
        }
    return unsupported(std::string("Vulkan device '") + properties_.deviceName + "' has no compute queue");
}

// fp16 storage binds float16 arrays to the shaders' storage buffers: the
// device must offer storageBuffer16BitAccess (Vulkan 1.1 core). The
// features struct is chained into the device's create info by the caller.
// INTERSTAGE_VULKAN_NO_16BIT_STORAGE=1 hides it (tests of the refusal on
// devices that have it).
Status Context::require16BitStorage(VkPhysicalDevice16BitStorageFeatures& features) const {
    features = VkPhysicalDevice16BitStorageFeatures{};
    features.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES;
    const char* hidden = std::getenv("INTERSTAGE_VULKAN_NO_16BIT_STORAGE");
    const bool hide = hidden && std::strcmp(hidden, "1") == 0;
    if (!hide && properties_.apiVersion >= VK_API_VERSION_1_1) {
        VkPhysicalDeviceFeatures2 all{};
        all.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
        all.pNext = &features;
        vkGetPhysicalDeviceFeatures2(physical_, &all);
    }
    if (features.storageBuffer16BitAccess) {
        // Only what the shaders use.
        features.uniformAndStorageBuffer16BitAccess = VK_FALSE;
        features.storagePushConstant16 = VK_FALSE;
        features.storageInputOutput16 = VK_FALSE;
        features.pNext = nullptr;
        return Status::ok();
    }
    return unsupported(std::string("Vulkan device '") + properties_.deviceName +
                       "' has no 16-bit storage buffers (storageBuffer16BitAccess), which half-precision "
                       "storage needs; run it in float32");
}

Status Context::init(int deviceIndex, bool fp16Storage) {
    const bool validation = validationRequested() && layerAvailable(kValidationLayer);
    auto instance = sharedInstance(validation);
    if (!instance.ok()) return instance.status();
    instance_ = instance.value();
    if (validation) {
        VkDebugUtilsMessengerCreateInfoEXT messengerInfo{};
        messengerInfo.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
        messengerInfo.messageSeverity =
            VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT;
        messengerInfo.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                                    VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                                    VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
        messengerInfo.pfnUserCallback = &Context::onMessage;
        messengerInfo.pUserData = this;
        auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance_, "vkCreateDebugUtilsMessengerEXT"));
        if (!create) return Status(StatusCode::Internal, "the validation layer lacks vkCreateDebugUtilsMessengerEXT");
        IS_RETURN_IF_ERROR(
            check(create(instance_, &messengerInfo, nullptr, &messenger_), "vkCreateDebugUtilsMessengerEXT"));
    }

    uint32_t count = 0;
    IS_RETURN_IF_ERROR(check(vkEnumeratePhysicalDevices(instance_, &count, nullptr), "vkEnumeratePhysicalDevices"));
    if (count == 0) return Status(StatusCode::NotFound, "there is no Vulkan device");
    if (deviceIndex < 0 || static_cast<uint32_t>(deviceIndex) >= count)
        return Status(StatusCode::NotFound, "there is no Vulkan device " + std::to_string(deviceIndex) + " (" +
                                                std::to_string(count) + " found)");
    std::vector<VkPhysicalDevice> devices(count);
    VkResult result = vkEnumeratePhysicalDevices(instance_, &count, devices.data());
    if (result != VK_SUCCESS && result != VK_INCOMPLETE) return check(result, "vkEnumeratePhysicalDevices");
    physical_ = devices[static_cast<size_t>(deviceIndex)];
    vkGetPhysicalDeviceProperties(physical_, &properties_);
    vkGetPhysicalDeviceMemoryProperties(physical_, &memory_);

    IS_RETURN_IF_ERROR(pickQueueFamily());
    VkPhysicalDevice16BitStorageFeatures storage16{};
    if (fp16Storage) IS_RETURN_IF_ERROR(require16BitStorage(storage16));

    uint32_t extensionCount = 0;
    if (vkEnumerateDeviceExtensionProperties(physical_, nullptr, &extensionCount, nullptr) == VK_SUCCESS) {
        std::vector<VkExtensionProperties> extensions(extensionCount);
        if (vkEnumerateDeviceExtensionProperties(physical_, nullptr, &extensionCount, extensions.data()) == VK_SUCCESS)
            for (const auto& e : extensions)
                if (std::strcmp(e.extensionName, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME) == 0) memoryBudget_ = true;
    }
    const char* budgetExtension = VK_EXT_MEMORY_BUDGET_EXTENSION_NAME;

    const float priority = 1.0f;
    VkDeviceQueueCreateInfo queueInfo{};
    queueInfo.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
    queueInfo.queueFamilyIndex = queueFamily_;
    queueInfo.queueCount = 1;
    queueInfo.pQueuePriorities = &priority;
    VkDeviceCreateInfo deviceInfo{};
    deviceInfo.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    deviceInfo.queueCreateInfoCount = 1;
    deviceInfo.pQueueCreateInfos = &queueInfo;
    if (fp16Storage) deviceInfo.pNext = &storage16;
    if (memoryBudget_) {
        deviceInfo.enabledExtensionCount = 1;
        deviceInfo.ppEnabledExtensionNames = &budgetExtension;
    }
    IS_RETURN_IF_ERROR(check(vkCreateDevice(physical_, &deviceInfo, nullptr, &device_), "vkCreateDevice"));
    vkGetDeviceQueue(device_, queueFamily_, 0, &queue_);

    VkCommandPoolCreateInfo poolInfo{};

    poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    poolInfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    poolInfo.queueFamilyIndex = queueFamily_;
    IS_RETURN_IF_ERROR(check(vkCreateCommandPool(device_, &poolInfo, nullptr, &commandPool_), "vkCreateCommandPool"));
    VkCommandBufferAllocateInfo cbInfo{};
    cbInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    cbInfo.commandPool = commandPool_;
    cbInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    cbInfo.commandBufferCount = 1;
    IS_RETURN_IF_ERROR(check(vkAllocateCommandBuffers(device_, &cbInfo, &commands_), "vkAllocateCommandBuffers"));
    VkFenceCreateInfo fenceInfo{};
    fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    IS_RETURN_IF_ERROR(check(vkCreateFence(device_, &fenceInfo, nullptr, &fence_), "vkCreateFence"));
    VkPipelineCacheCreateInfo cacheInfo{};
    cacheInfo.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO;
    IS_RETURN_IF_ERROR(
        check(vkCreatePipelineCache(device_, &cacheInfo, nullptr, &pipelineCache_), "vkCreatePipelineCache"));
    return Status::ok();
}

Context::~Context() {
    if (device_) {
        // A lost device runs nothing any more; destroying is still valid.
        if (!lost_) vkDeviceWaitIdle(device_);
        for (auto& [name, p] : pipelines_) {
            vkDestroyPipeline(device_, p.pipeline, nullptr);
            vkDestroyPipelineLayout(device_, p.layout, nullptr);
            vkDestroyDescriptorSetLayout(device_, p.setLayout, nullptr);
        }
        for (VkDescriptorPool pool : descriptorPools_) vkDestroyDescriptorPool(device_, pool, nullptr);
        if (queryPool_) vkDestroyQueryPool(device_, queryPool_, nullptr);
        if (pipelineCache_) vkDestroyPipelineCache(device_, pipelineCache_, nullptr);
        if (fence_) vkDestroyFence(device_, fence_, nullptr);
        if (commandPool_) vkDestroyCommandPool(device_, commandPool_, nullptr);
        vkDestroyDevice(device_, nullptr);
    }
    if (messenger_) {
        auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
        if (destroy) destroy(instance_, messenger_, nullptr);
    }
}

VkDeviceSize Context::storageAlignment() const {
    return std::max<VkDeviceSize>(4, properties_.limits.minStorageBufferOffsetAlignment);
}

Result<uint32_t> Context::memoryType(uint32_t typeBits, bool hostVisible) const {
    const VkMemoryPropertyFlags wanted =
        hostVisible ? VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
                    : VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
    for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i)
        if ((typeBits & (1u << i)) && (memory_.memoryTypes[i].propertyFlags & wanted) == wanted) return i;
    // Device-local is a preference: a device without it still has memory.
    if (!hostVisible)
        for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i)
            if (typeBits & (1u << i)) return i;
    return Status(StatusCode::Unsupported, "the Vulkan device has no suitable memory type");
}

Result<Buffer> Context::createBuffer(std::size_t bytes, bool hostVisible, MemoryCategory category, ValueId tensor) {
    if (lost_) return lostStatus();
    Buffer b;
    b.category = category;
    b.tensor = tensor;
    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.size = std::max<std::size_t>(bytes, 4);
    info.usage =
        VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    IS_RETURN_IF_ERROR(check(vkCreateBuffer(device_, &info, nullptr, &b.buffer), "vkCreateBuffer"));
    VkMemoryRequirements req{};
    vkGetBufferMemoryRequirements(device_, b.buffer, &req);
    auto type = memoryType(req.memoryTypeBits, hostVisible);
    if (!type.ok()) {
        vkDestroyBuffer(device_, b.buffer, nullptr);
        return type.status();
    }
    VkMemoryAllocateInfo alloc{};
    alloc.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    alloc.allocationSize = req.size;
    alloc.memoryTypeIndex = type.value();
    VkResult result = vkAllocateMemory(device_, &alloc, nullptr, &b.memory);
    if (result != VK_SUCCESS) {
        vkDestroyBuffer(device_, b.buffer, nullptr);
        return check(result, "vkAllocateMemory of " + std::to_string(req.size) + " bytes");
    }
    b.bytes = req.size;
    tracker_.allocated(b.bytes, MemoryDevice::Gpu, category, tensor);
    Status status = check(vkBindBufferMemory(device_, b.buffer, b.memory, 0), "vkBindBufferMemory");
    if (status.isOk() && hostVisible)
        status = check(vkMapMemory(device_, b.memory, 0, VK_WHOLE_SIZE, 0, &b.mapped), "vkMapMemory");
    if (!status.isOk()) {
        destroyBuffer(b);
        return status;
    }
    return b;
}

void Context::destroyBuffer(Buffer& b) {
    if (b.buffer) vkDestroyBuffer(device_, b.buffer, nullptr);
    if (b.memory) {
        if (b.mapped) vkUnmapMemory(device_, b.memory);
        vkFreeMemory(device_, b.memory, nullptr);
        tracker_.freed(b.bytes, MemoryDevice::Gpu, b.category, b.tensor);
    }
    b = Buffer{};
}

Result<const Pipeline*> Context::pipeline(std::string_view shader, uint32_t bindings,
                                          std::span<const int32_t> constants) {
    if (lost_) return lostStatus();
    std::string name(shader);  // the cache key: the shader and its constants
    for (int32_t c : constants) name += "|" + std::to_string(c);
    auto it = pipelines_.find(name);
    if (it != pipelines_.end()) {
        if (it->second.bindings != bindings) return Status(StatusCode::Internal, "shader binding count mismatch");
        return &it->second;
    }
    const auto code = shaderCode(shader);
    if (code.empty()) return Status(StatusCode::Internal, "no embedded shader named '" + std::string(shader) + "'");
    Pipeline p;
    p.bindings = bindings;
    std::vector<VkDescriptorSetLayoutBinding> layoutBindings(bindings);
    for (uint32_t i = 0; i < bindings; ++i) {
        layoutBindings[i].binding = i;
        layoutBindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        layoutBindings[i].descriptorCount = 1;
        layoutBindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    VkDescriptorSetLayoutCreateInfo setInfo{};
    setInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
    setInfo.bindingCount = bindings;
    setInfo.pBindings = layoutBindings.data();
    // Inserted first so the destructor cleans up whatever gets created below.
    Pipeline& stored = pipelines_.emplace(std::string(name), p).first->second;
    IS_RETURN_IF_ERROR(check(vkCreateDescriptorSetLayout(device_, &setInfo, nullptr, &stored.setLayout),
                             "vkCreateDescriptorSetLayout"));
    VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, kPushConstantBytes};
    VkPipelineLayoutCreateInfo layoutInfo{};
    layoutInfo.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    layoutInfo.setLayoutCount = 1;
    layoutInfo.pSetLayouts = &stored.setLayout;
    layoutInfo.pushConstantRangeCount = 1;
    layoutInfo.pPushConstantRanges = &range;
    IS_RETURN_IF_ERROR(
        check(vkCreatePipelineLayout(device_, &layoutInfo, nullptr, &stored.layout), "vkCreatePipelineLayout"));
    VkShaderModuleCreateInfo moduleInfo{};
    moduleInfo.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    moduleInfo.codeSize = code.size() * sizeof(uint32_t);
    moduleInfo.pCode = code.data();
    VkShaderModule module = VK_NULL_HANDLE;
    IS_RETURN_IF_ERROR(check(vkCreateShaderModule(device_, &moduleInfo, nullptr, &module), "vkCreateShaderModule"));
    VkComputePipelineCreateInfo pipelineInfo{};
    pipelineInfo.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
    pipelineInfo.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    pipelineInfo.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    pipelineInfo.stage.module = module;
    pipelineInfo.stage.pName = "main";
    std::vector<VkSpecializationMapEntry> entries(constants.size());
    for (uint32_t i = 0; i < entries.size(); ++i) entries[i] = {i, i * uint32_t(sizeof(int32_t)), sizeof(int32_t)};
    VkSpecializationInfo specialization{static_cast<uint32_t>(entries.size()), entries.data(), constants.size_bytes(),
                                        constants.data()};
    if (!constants.empty()) pipelineInfo.stage.pSpecializationInfo = &specialization;
    pipelineInfo.layout = stored.layout;
    VkResult result = vkCreateComputePipelines(device_, pipelineCache_, 1, &pipelineInfo, nullptr, &stored.pipeline);
    vkDestroyShaderModule(device_, module, nullptr);
    IS_RETURN_IF_ERROR(check(result, "vkCreateComputePipelines (" + std::string(name) + ")"));
    return &stored;
}

Result<VkDescriptorSet> Context::allocateDescriptorSet(const Pipeline& p) {
    if (lost_) return lostStatus();
    for (;;) {
        if (currentPool_ == descriptorPools_.size()) {
            VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kSetsPerPool * kDescriptorsPerSet};
            VkDescriptorPoolCreateInfo info{};
            info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
            info.maxSets = kSetsPerPool;
            info.poolSizeCount = 1;
            info.pPoolSizes = &size;
            VkDescriptorPool pool = VK_NULL_HANDLE;
            IS_RETURN_IF_ERROR(check(vkCreateDescriptorPool(device_, &info, nullptr, &pool), "vkCreateDescriptorPool"));
            descriptorPools_.push_back(pool);
        }
        VkDescriptorSetAllocateInfo info{};
        info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
        info.descriptorPool = descriptorPools_[currentPool_];
        info.descriptorSetCount = 1;
        info.pSetLayouts = &p.setLayout;
        VkDescriptorSet set = VK_NULL_HANDLE;
        VkResult result = vkAllocateDescriptorSets(device_, &info, &set);
        if (result == VK_SUCCESS) return set;
        if (result != VK_ERROR_OUT_OF_POOL_MEMORY && result != VK_ERROR_FRAGMENTED_POOL)
            return check(result, "vkAllocateDescriptorSets");
        ++currentPool_;  // this pool is full: go on with the next (or a new) one
    }
}

Status Context::resetDescriptors() {
    if (lost_) return lostStatus();
    for (VkDescriptorPool pool : descriptorPools_)
        IS_RETURN_IF_ERROR(check(vkResetDescriptorPool(device_, pool, 0), "vkResetDescriptorPool"));
    currentPool_ = 0;
    return Status::ok();
}

Result<VkCommandBuffer> Context::begin() {
    if (lost_) return lostStatus();
    if (recording_) return commands_;
    IS_RETURN_IF_ERROR(check(vkResetCommandBuffer(commands_, 0), "vkResetCommandBuffer"));
    VkCommandBufferBeginInfo info{};
    info.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    info.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    IS_RETURN_IF_ERROR(check(vkBeginCommandBuffer(commands_, &info), "vkBeginCommandBuffer"));
    recording_ = true;
    return commands_;
}

Status Context::submitAndWait() {
    if (lost_) return lostStatus();
    if (!recording_) return Status::ok();
    recording_ = false;
    IS_RETURN_IF_ERROR(check(vkEndCommandBuffer(commands_), "vkEndCommandBuffer"));
    IS_RETURN_IF_ERROR(checkDevice(vkResetFences(device_, 1, &fence_), "vkResetFences"));
    // The injected loss replaces the submit, so nothing is left in flight:
    // the state is the one a real loss leaves once the wait has returned.
    if (loseAtSubmit_ > 0 && --loseAtSubmit_ == 0) return checkDevice(VK_ERROR_DEVICE_LOST, "vkQueueSubmit");
    VkSubmitInfo submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &commands_;
    IS_RETURN_IF_ERROR(checkDevice(vkQueueSubmit(queue_, 1, &submit, fence_), "vkQueueSubmit"));
    return checkDevice(vkWaitForFences(device_, 1, &fence_, VK_TRUE, UINT64_MAX), "vkWaitForFences");
}

Status Context::checkDevice(VkResult result, const char* what) {
    if (result != VK_ERROR_DEVICE_LOST) return check(result, what);
    if (!lost_) lostIn_ = what;
    lost_ = true;
    return lostStatus();
}

Status Context::lostStatus() const {
    return Status(StatusCode::DeviceLost, std::string("the Vulkan device '") + properties_.deviceName +
                                              "' was lost (VK_ERROR_DEVICE_LOST from " + lostIn_ +
                                              "); its memory is gone and it is not used again: run again in a new "
                                              "session, or on the CPU backend");
}

void Context::discard() {
    if (!recording_) return;
    recording_ = false;
    (void)vkEndCommandBuffer(commands_);  // begin() resets it before the next use
}

Result<VkQueryPool> Context::timestampPool(uint32_t count) {
    if (lost_) return lostStatus();
    if (!timestampsSupported()) return VkQueryPool(VK_NULL_HANDLE);
    if (queryPool_ && queryCount_ >= count) return queryPool_;
    if (queryPool_) vkDestroyQueryPool(device_, queryPool_, nullptr);
    queryPool_ = VK_NULL_HANDLE;
    VkQueryPoolCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO;
    info.queryType = VK_QUERY_TYPE_TIMESTAMP;
    info.queryCount = std::max<uint32_t>(count, 2);
    IS_RETURN_IF_ERROR(check(vkCreateQueryPool(device_, &info, nullptr, &queryPool_), "vkCreateQueryPool"));
    queryCount_ = info.queryCount;
    return queryPool_;
}

}  // namespace interstage::vulkan
