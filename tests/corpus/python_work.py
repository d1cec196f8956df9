# Corpus workload for faultline: threads, a fork-based process pool, and many
# small objects. Prints only deterministic results.
import hashlib
import multiprocessing
import threading


def work(n):
    d = {}
    for i in range(n):
        d["k%d" % i] = [i] * (i % 7)
    return sum(len(v) for v in d.values())


def main():
    results = [0] * 8

    def run(slot):
        results[slot] = work(20000 + slot)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("threads", results)

    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        print("pool", pool.map(work, [5000, 6000, 7000, 8000]))

    blob = bytearray()
    for i in range(50000):
        blob += ("%d," % (i * i)).encode()
    print("sha", hashlib.sha256(bytes(blob)).hexdigest())


if __name__ == "__main__":
    main()
