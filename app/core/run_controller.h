// Runs run sets on a worker thread. Settings are copied before the worker
// starts; results come back as immutable values through queued signals;
// Stop is an atomic flag the engine polls between nodes. A newer set
// supersedes a running one.
#pragma once

#include <QObject>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include "core/run_types.h"
#include "interstage/model.h"

namespace appcore {

class RunController : public QObject {
    Q_OBJECT
public:
    explicit RunController(QObject* parent = nullptr);
    ~RunController() override;

    // Starts a run set of `config.runs` runs; returns its id. A set still
    // running is stopped first.
    int start(std::shared_ptr<const interstage::Model> model, const RunConfig& config);
    // Asks the running set to stop after the node in progress.
    void stop();
    bool isRunning() const { return running_.load(); }
    // Restored run sets keep their ids (colours, overlays and timing series
    // are keyed by them): new sets are numbered after them.
    void continueSetIdsAfter(int setId);

    // Tensor data from the last finished set's session (values or the
    // engine's DataRemoved status). Call on the GUI thread, when not running.
    interstage::Result<interstage::TensorData> blob(const std::string& name) const;
    bool hasSession() const { return lastSession_ != nullptr; }

signals:
    void runStarted(int setId, int run);
    void progress(const appcore::RunProgress& batch);
    void runFinished(const appcore::RunDone& done);
    void setFinished(const appcore::RunSetResult& result);

private:
    void join();
    void work(int setId, std::shared_ptr<const interstage::Model> model, RunConfig config);

    std::thread worker_;
    std::atomic<bool> running_{false};
    std::atomic<bool> cancel_{false};
    int nextSetId_ = 1;
    std::shared_ptr<interstage::Session> lastSession_;
};

}  // namespace appcore
