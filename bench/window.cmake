# idle_cpu, input_latency, startup: the kiosk in a window on Xvfb (bench/*.sh,
# bench/lib/window.bash). startup needs the process's start on CLOCK_MONOTONIC.
add_executable(wufei-bench-mono-exec mono_exec.c)
target_link_libraries(wufei-bench-mono-exec PRIVATE wufei_core)
add_dependencies(wufei-bench-mono-exec wufei-kiosk wufei-devsim)
