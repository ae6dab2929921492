"""A client of the thesis's Pop protocol, made only from its Appendix B definition (package
vim_pop): in phase `run` logs in, creates a container, sets its metadata, starts it and lists it; in
phase `end` logs in, stops it and deletes it. Prints what each call answered as one JSON object.

Usage: client.py GENERATED_DIR TARGET USER IMAGE NAME run|end  (the password on standard input)
"""

import json
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from google.protobuf import empty_pb2  # noqa: E402

import vim_pop_pb2 as pb  # noqa: E402
import vim_pop_pb2_grpc as rpc  # noqa: E402


def container(c):
    return {
        "id": c.id,
        "names": list(c.names),
        "status": pb.Container.Status.Name(c.status),
        "addresses": {net: e.ipv4.address for net, e in c.endpoints.items()},
        "md": dict(c.md.entries),
    }


def main():
    _, _, target, user, image, name, phase = sys.argv
    password = sys.stdin.read().strip()
    pop = rpc.PopStub(grpc.insecure_channel(target))
    info = pop.Info(empty_pb2.Empty())
    token = pop.Login(pb.Credentials(username=user, password=password)).value
    md = [("token", token)]
    by_name = pb.Filter(name=name)
    out = {"info": {"type": info.type, "name": info.name}}
    if phase == "run":
        created = pop.Create(pb.ContainerConfig(name=name, image_id=image), metadata=md)
        out["create"] = container(created)
        entries = {"THESIS_CLIENT": "vim_pop", "GONE": "soon"}
        pop.Metadata(pb.NewMetadata(filter=by_name, md=pb.Metadata(entries=entries)), metadata=md)
        removal = pb.Metadata(entries={"GONE": ""})
        pop.Metadata(pb.NewMetadata(filter=by_name, md=removal), metadata=md)
        out["start"] = container(pop.Start(by_name, metadata=md))
        out["containers"] = [container(c) for c in pop.Containers(pb.Filter(), metadata=md).list]
    else:
        pop.Stop(by_name, metadata=md)
        out["stopped"] = container(pop.Containers(by_name, metadata=md).list[0])
        pop.Delete(by_name, metadata=md)
        out["after_delete"] = [container(c) for c in pop.Containers(by_name, metadata=md).list]
        try:
            pop.Containers(pb.Filter(), metadata=[("token", "not-a-token")])
            out["bad_token"] = "accepted"
        except grpc.RpcError as e:
            out["bad_token"] = e.code().name
    pop.Logout(empty_pb2.Empty(), metadata=md)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
