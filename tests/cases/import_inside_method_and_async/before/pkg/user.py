class Service:
    async def run(self):
        from pkg.old_mod import Old
        async with Old() as engine:
            return engine
