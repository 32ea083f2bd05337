#!/usr/bin/env python3
"""A transactional producer (confluent-kafka) driven one step at a time from standard input, for
tests that kill or stop brokers between the steps of a transaction. Each line is a command; each
answer is one line on standard output:

  init                  init_transactions         -> "ok init"
  begin                 begin_transaction         -> "ok begin"
  produce PREFIX N      N records PREFIX-0..N-1 to partition 0 of TOPIC, then flush
                                                  -> "ok produce" (every record delivered)
                                                     or "error produce <delivery errors>"
  commit                commit_transaction        -> "ok commit"
  abort                 abort_transaction         -> "ok abort"
  exit                  ends the process          -> "ok exit"

A failed step answers "error <step> <code name> retriable=<0|1> abortable=<0|1> fatal=<0|1>".

Usage: txn_steps_producer.py BOOTSTRAP TOPIC TRANSACTIONAL_ID TRANSACTION_TIMEOUT_MS
"""
import sys

from confluent_kafka import KafkaException, Producer

bootstrap, topic, transactional_id, timeout_ms = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": transactional_id,
                     "transaction.timeout.ms": timeout_ms, "socket.timeout.ms": min(timeout_ms, 60000),
                     "linger.ms": 5, "message.timeout.ms": min(timeout_ms, 120000) - 100, "retry.backoff.ms": 200})


def answer(text):
    print(text, flush=True)


def failure(step, error):
    answer(f"error {step} {error.name()} retriable={int(error.retriable())} "
           f"abortable={int(error.txn_requires_abort())} fatal={int(error.fatal())}")


for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    step = words[0]
    try:
        if step == "init":
            producer.init_transactions(180)
        elif step == "begin":
            producer.begin_transaction()
        elif step == "produce":
            prefix, count = words[1], int(words[2])
            errors = []

            def delivered(err, msg):
                if err is not None:
                    errors.append(err.name())

            for number in range(count):
                producer.produce(topic, value=f"{prefix}-{number}".encode(), partition=0, on_delivery=delivered)
            remaining = producer.flush(180)
            if errors or remaining:
                answer(f"error produce {','.join(errors) or 'unsent'} remaining={remaining}")
                continue
        elif step == "commit":
            producer.commit_transaction(180)
        elif step == "abort":
            producer.abort_transaction(180)
        elif step == "exit":
            answer("ok exit")
            break
        else:
            answer(f"error {step} unknown-step")
            continue
    except (KafkaException, SystemError) as exception:
        # A fatal error raised inside flush() reaches here wrapped in a SystemError (the delivery
        # callbacks then run with it pending); its cause is the KafkaException.
        while exception is not None and not isinstance(exception, KafkaException):
            exception = exception.__cause__
        if exception is None:
            raise
        failure(step, exception.args[0])
        continue
    answer(f"ok {step}")
