// Prints the whole seconds std::chrono::steady_clock reads (CLOCK_MONOTONIC
// on Linux): run_in_time_namespace.sh needs it to set the namespace's offset,
// and /proc/uptime is the boot-time clock, ahead of it by any time suspended.
#include <chrono>
#include <cstdio>

int main()
{
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    std::printf("%lld\n", static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(now).count()));
    return 0;
}
