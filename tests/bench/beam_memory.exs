# BEAM side of supervision-bench's memory workload, kept in the project (the
# other workloads' BEAM side, beam_bench.exs, lives in the shared anchors).
# Prints one JSON line per workload with the same fields as the native side.
# Run: elixir --erl "+S 2:2 +sbwt none +sbwtdcpu none +sbwtdio none +P 4000000" beam_memory.exs [idle_1000000]
#
# idle_N (idle_1000000 by default): spawns N processes, each blocked in a
# receive, from this (the script's) process, and waits until the run queues
# are empty, so every process has reached its receive; seconds is that time
# and ops_per_sec the spawn rate. The pids are not kept: a list of them would
# add 16 bytes a process to this process's heap. Measured, as on the native
# side, in the operating system's view of the whole VM:
#   bytes_per_process = (VmRSS after - VmRSS before) * 1024 / N
# from /proc/self/status (the VM is this OS process). The process table was
# already allocated at boot (+P), so it is in neither figure, as the native
# side's Runtime is constructed before its "before".
#   processes_bytes_per_process = delta of :erlang.memory(:processes) / N,
# the VM's own count of process memory (heap, stack, control block, mailbox).
#   peak_rss_kb: VmHWM at the end, after resetting it to the current RSS
# (writing "5" to /proc/self/clear_refs, Linux >= 4.0) when the workload
# began; from the VM's start if that failed.
defmodule Mem do
  def t, do: System.monotonic_time(:nanosecond)

  def status_kb(key) do
    k = key <> ":"
    with {:ok, text} <- File.read("/proc/self/status"),
         [_, v, "kB"] <- Enum.find(Enum.map(String.split(text, "\n"), &String.split/1), [], &match?([^k | _], &1)) do
      String.to_integer(v)
    else
      _ -> 0
    end
  end

  def reset_peak do
    case File.write("/proc/self/clear_refs", "5") do
      :ok -> :ok
      {:error, e} -> IO.puts(:stderr, "beam_memory.exs: cannot reset the peak RSS (#{e}); peak_rss_kb counts from the VM's start")
    end
  end

  def out(name, ops, ns, extra) do
    s = ns / 1.0e9
    fields = Enum.map_join(extra, "", fn {k, v} -> ~s(,"#{k}":#{v}) end)
    IO.puts(~s({"workload":"#{name}","runtime":"beam","ops":#{ops},"seconds":#{Float.round(s, 4)},"ops_per_sec":#{round(ops / s)}#{fields}}))
  end

  def idle_loop(0), do: :ok

  def idle_loop(n) do
    spawn(fn -> receive do :stop -> :ok end end)
    idle_loop(n - 1)
  end

  def drained do
    if :erlang.statistics(:total_run_queue_lengths_all) == 0, do: :ok, else: (Process.sleep(1); drained())
  end

  def idle(n) do
    reset_peak()
    :erlang.garbage_collect()
    before = status_kb("VmRSS")
    procs_before = :erlang.memory(:processes)
    count_before = :erlang.system_info(:process_count)
    t0 = t()
    idle_loop(n)
    drained()
    el = t() - t0
    after_ = status_kb("VmRSS")
    procs_after = :erlang.memory(:processes)
    out("idle_#{n}", n, el,
      processes: :erlang.system_info(:process_count) - count_before,
      rss_before_kb: before,
      rss_after_kb: after_,
      bytes_per_process: Float.round((after_ - before) * 1024 / n, 1),
      processes_bytes_per_process: Float.round((procs_after - procs_before) / n, 1),
      peak_rss_kb: status_kb("VmHWM"))
  end
end

ws = case System.argv() do [] -> ["idle_1000000"]; l -> l end
for w <- ws do
  case w do
    "idle_" <> n -> Mem.idle(String.to_integer(n))
    other -> (IO.puts(:stderr, "beam_memory.exs: unknown workload #{other} (idle_N)"); System.halt(2))
  end
end
