// The autosave: the window's current session, rewritten after every
// finished run set (and after a model or a session opens) so that a crash
// or a kill loses at most the run in flight. Each running app writes its
// own file, autosave-<pid>-<n>.<suffix>, and holds a lock beside it while it
// lives; a clean exit removes both. A file whose lock is stale was left by
// a process that died: the next start offers it (orphans()).
#pragma once

#include <QDateTime>
#include <QLockFile>
#include <QObject>
#include <QString>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "interstage/session_file.h"

namespace appcore {

// What Save Session names a session file by default.
inline constexpr const char* kSessionSuffix = "interstage";

class Autosave : public QObject {
    Q_OBJECT
public:
    // INTERSTAGE_AUTOSAVE_DIR when set (tests), else the app's local data
    // folder (QStandardPaths::AppLocalDataLocation) + "/autosave".
    static QString defaultDirectory();

    explicit Autosave(const QString& directory = defaultDirectory(), QObject* parent = nullptr);
    // Waits for a write in flight, then removes this process's file: only
    // a process that dies before its destructor leaves one behind.
    ~Autosave() override;

    QString directory() const { return directory_; }
    QString path() const { return path_; }  // this process's autosave file

    // Builds the session and writes it, both on a worker thread (building
    // copies every run's statistics; writing a four-preset session takes
    // tens of milliseconds). A request made while one is being written
    // waits for it; of several waiting only the newest is written.
    using Builder = std::function<interstage::SavedSession()>;
    void save(Builder build);
    // Blocks until nothing is being or waiting to be written.
    void waitForIdle();
    int writesDone() const;  // files written so far (tests)
    QString lastError() const;

    // Autosave files in `directory` that no living process holds, newest
    // first, with when they were last written.
    struct Orphan {
        QString path;
        QDateTime savedAt;
    };
    static std::vector<Orphan> orphans(const QString& directory = defaultDirectory());
    // Removes an orphan (after it was restored or declined) and its lock.
    static void discardOrphan(const QString& path);

signals:
    // Emitted (queued, on the owner's thread) after each file written, with
    // how long building and writing took.
    void saved(const QString& path, double ms);
    void failed(const QString& message);

private:
    void work();

    QString directory_;
    QString path_;
    std::unique_ptr<QLockFile> lock_;
    mutable std::mutex mutex_;
    std::condition_variable idle_;
    Builder pending_;
    bool writing_ = false;
    int writes_ = 0;
    QString lastError_;
    std::thread worker_;
};

}  // namespace appcore
